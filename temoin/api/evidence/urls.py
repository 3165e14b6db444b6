"""API routes of the evidence domain (mounted at /api/)."""

urlpatterns: list = []
