"""The data hub's pages, mounted at /datahub/ (the JSON API lives in datahub/api*.py)."""

from django.urls import path

from huying.datahub import views_catalogue as catalogue

app_name = "datahub"

urlpatterns: list = [
    # Each page family adds its routes here.
    path("catalogue/", catalogue.catalogue_list, name="catalogue"),
    path("catalogue/requests/", catalogue.my_requests, name="my-requests"),
    path("catalogue/review/", catalogue.review, name="review"),
    path("catalogue/requests/<int:pk>/approve/", catalogue.approve, name="approve"),
    path("catalogue/requests/<int:pk>/decline/", catalogue.decline, name="decline"),
    path("catalogue/requests/<int:pk>/withdraw/", catalogue.withdraw, name="withdraw"),
    path("catalogue/grants/<int:pk>/revoke/", catalogue.revoke, name="revoke"),
    path("catalogue/<str:code>/", catalogue.category_detail, name="category"),
    path("catalogue/<str:code>/apply/", catalogue.apply, name="apply"),
]
