"""API routes of the estimation domain (mounted at /api/)."""

urlpatterns: list = []
