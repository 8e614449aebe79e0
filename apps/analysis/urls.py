from django.urls import path

from apps.analysis import views

app_name = "analysis"

urlpatterns = [
    path("export/annotations.csv", views.annotations_csv, name="annotations-csv"),
    path("export/annotations.jsonld", views.annotations_jsonld, name="annotations-jsonld"),
    path("export/codebook.csv", views.codebook_csv, name="codebook-csv"),
    path("export/articles.csv", views.articles_csv, name="articles-csv"),
]
