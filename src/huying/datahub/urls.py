"""The data hub's pages, mounted at /datahub/ (the JSON API lives in datahub/api*.py)."""

from django.urls import path

from huying.datahub import views_catalogue as catalogue
from huying.datahub import views_hub_discrepancies as hub_discrepancies
from huying.datahub import views_hub_loads as hub_loads
from huying.datahub import views_hub_residents as hub_residents
from huying.datahub import views_hub_sources as hub_sources

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
    # 数据导入, 实有人口, 出租屋, 数据差异 (views_hub_*.py)
    path("loads/", hub_loads.load_list, name="loads"),
    path("loads/upload/", hub_loads.upload, name="load-upload"),
    path("loads/<int:pk>/", hub_loads.load_detail, name="load"),
    path("sources/<str:source>/", hub_sources.source_detail, name="source"),
    path("sources/<str:source>/search/", hub_sources.source_search, name="source-search"),
    path("residents/", hub_residents.resident_search, name="residents"),
    path("residents/export/", hub_residents.village_export, name="resident-export"),
    path("residents/<int:pk>/", hub_residents.resident_detail, name="resident"),
    path("residents/<int:pk>/reveal/", hub_residents.resident_reveal, name="resident-reveal"),
    path("dwellings/<int:pk>/", hub_residents.dwelling_detail, name="dwelling"),
    path("discrepancies/", hub_discrepancies.discrepancy_list, name="discrepancies"),
    path("discrepancies/<int:pk>/", hub_discrepancies.discrepancy_detail, name="discrepancy"),
    path(
        "discrepancies/<int:pk>/<str:verb>/",
        hub_discrepancies.discrepancy_action,
        name="discrepancy-action",
    ),
]
