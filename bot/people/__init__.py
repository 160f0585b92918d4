"""People and their accounts on each platform."""
