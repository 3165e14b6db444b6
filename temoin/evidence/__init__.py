"""Django app: evidence (persistence, services and selectors around temoin.core.evidence)."""
