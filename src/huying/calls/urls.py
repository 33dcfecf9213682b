"""The calls pages, mounted at /calls/ (the JSON API lives in calls/api*.py)."""

from django.urls import path  # noqa: F401

app_name = "calls"

urlpatterns: list = [
    # Each page module adds its routes here.
]
