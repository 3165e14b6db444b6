"""API routes of the intake domain (mounted at /api/)."""

urlpatterns: list = []
