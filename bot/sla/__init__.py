"""Service-level agreements: deadlines measured in business time."""
