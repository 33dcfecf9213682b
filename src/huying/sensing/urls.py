"""The sensing pages: water board, enterprise risk board, alarm list, video review queue."""

from django.urls import path

from huying.sensing import views_alarms, views_boards, views_video

app_name = "sensing"

urlpatterns: list = [
    path("water/", views_boards.water_board, name="water"),
    path("enterprises/", views_boards.enterprise_board, name="enterprises"),
    path("alarms/", views_alarms.alarm_list, name="alarms"),
    path("alarms/<int:pk>/", views_alarms.alarm_detail, name="alarm"),
    path("alarms/<int:pk>/events/", views_alarms.alarm_events, name="alarm-events"),
    path("alarms/<int:pk>/<str:action>/", views_alarms.alarm_act, name="alarm-act"),
    path("video/", views_video.video_page, name="video"),
    path("video/queue/", views_video.queue_fragment, name="video-queue"),
    path("video/events/<int:pk>/", views_video.event_panel, name="video-event"),
    path("video/events/<int:pk>/snapshot/", views_video.snapshot, name="video-snapshot"),
    path("video/events/<int:pk>/<str:action>/", views_video.review, name="video-review"),
]
