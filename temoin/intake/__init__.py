"""Django app: intake (persistence, services and selectors around temoin.core.intake)."""
