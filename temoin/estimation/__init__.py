"""Django app: estimation (persistence, services and selectors around temoin.core.estimation)."""
