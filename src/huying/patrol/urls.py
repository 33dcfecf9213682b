"""Patrol pages under /patrol/ (each page family adds its paths here)."""

app_name = "patrol"

urlpatterns: list = []
