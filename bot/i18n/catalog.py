CATALOG: dict[str, dict[str, str]] = {}
