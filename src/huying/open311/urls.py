"""GeoReport v2 endpoints, each in .json and .xml (the format suffix the spec uses)."""

from django.urls import path, register_converter

from huying.open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"

urlpatterns = [
    path("services.<fmt:fmt>", views.service_list, name="services"),
    path("services/<str:code>.<fmt:fmt>", views.service_definition, name="service"),
    path("requests.<fmt:fmt>", views.request_list, name="requests"),
    path("requests/<str:number>.<fmt:fmt>", views.request_detail, name="request"),
]
