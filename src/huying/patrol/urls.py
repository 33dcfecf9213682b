"""Patrol pages under /patrol/ (each page family adds its paths here)."""

from django.urls import path

from huying.patrol import views_coverage, views_household, views_plans, views_tracks

app_name = "patrol"

urlpatterns: list = [
    path("", views_plans.plan_page, name="plan"),
    path("track/", views_tracks.track_page, name="track"),
    path("coverage/", views_coverage.coverage_page, name="coverage"),
    path("coverage/export/", views_coverage.coverage_export, name="coverage-export"),
    path("households/<int:pk>/", views_household.household_page, name="household"),
]
