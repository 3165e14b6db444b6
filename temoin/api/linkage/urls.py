"""API routes of the linkage domain (mounted at /api/)."""

urlpatterns: list = []
