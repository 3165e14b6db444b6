"""Django app: linkage (persistence, services and selectors around temoin.core.linkage)."""
