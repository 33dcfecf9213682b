from django.urls import path

from huying.notify import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="inbox-badge"),
    path("read/", views.mark_read, name="inbox-read"),
    path("read-all/", views.mark_all_read, name="inbox-read-all"),
    path("<int:pk>/", views.open_notification, name="inbox-open"),
]
