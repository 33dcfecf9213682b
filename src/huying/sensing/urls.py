"""The sensing pages: water board, enterprise risk board, alarm list, video review queue."""

from django.urls import path  # noqa: F401  (the pages add themselves below)

app_name = "sensing"

urlpatterns: list = []
