"""The calls pages, mounted at /calls/ (the JSON API lives in calls/api*.py)."""

from django.urls import path

from huying.calls.views import board, department, detail, supervision, town, village
from huying.calls.views import statistics as statistics_views

app_name = "calls"

urlpatterns: list = [
    # Each page module adds its routes here.
    path("department/", department.workbench, name="department"),
    path("board/", board.board, name="board"),
    path("supervision/", supervision.supervision, name="supervision"),
    path("supervision/cases/<int:pk>/", supervision.case_detail, name="case"),
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics_views.statistics_export, name="statistics-export"),
    path("town/", town.workbench, name="town"),
    path("new/", town.new_call, name="new"),
    path("new/matters/", town.matter_options, name="matter-options"),
    path("new/deadlines/", town.deadline_preview, name="deadline-preview"),
    path("requests/", village.request_list, name="requests"),
    path("requests/new/", village.request_new, name="request-new"),
    path("requests/<int:pk>/", village.request_detail, name="request"),
    path("requests/<int:pk>/forward/", village.request_forward, name="request-forward"),
    path("requests/<int:pk>/decline/", village.request_decline, name="request-decline"),
    path("<int:pk>/", detail.call_detail, name="detail"),
    path("<int:pk>/<str:action>/", detail.act, name="act"),
    path("attachments/<int:pk>/", detail.attachment, name="attachment"),
]
