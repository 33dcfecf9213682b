"""Patrol pages under /patrol/ (each page family adds its paths here)."""

from django.urls import path

from huying.patrol import views_plans, views_tracks

app_name = "patrol"

urlpatterns: list = [
    path("", views_plans.plan_page, name="plan"),
    path("track/", views_tracks.track_page, name="track"),
]
