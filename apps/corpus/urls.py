from django.urls import path

from apps.corpus import views, views_import

app_name = "corpus"

urlpatterns = [
    path("", views.project_home, name="home"),
    path("stories/<int:story_id>/", views.story_detail, name="story"),
    path("import/", views_import.import_upload, name="import"),
    path("import/<int:batch_id>/", views_import.import_batch, name="import-batch"),
]
