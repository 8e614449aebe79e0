from django.urls import include, path

app_name = "coding"

urlpatterns = [
    path("work/", include("apps.coding.urls_work")),
    path("adjudication/", include("apps.coding.urls_adjudication")),
]
