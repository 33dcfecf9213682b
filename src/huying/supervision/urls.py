"""The supervision pages: the task register and a town's inbox, the inspection plans, warnings,
formalism cases and the burden metrics."""

from django.urls import path  # noqa: F401  (the pages add themselves below)

app_name = "supervision"

urlpatterns: list = []
