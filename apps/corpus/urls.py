from django.urls import path

from apps.corpus import views, views_articles, views_import, views_stories

app_name = "corpus"

urlpatterns = [
    path("", views.project_home, name="home"),
    path("stories/<int:story_id>/", views.story_detail, name="story"),
    path("stories/new/", views_stories.story_create, name="story-create"),
    path("stories/<int:story_id>/edit/", views_stories.story_edit, name="story-edit"),
    path("stories/<int:story_id>/delete/", views_stories.story_delete, name="story-delete"),
    path("stories/articles/", views_stories.story_articles, name="story-articles"),
    path(
        "articles/<int:article_id>/details/",
        views_articles.article_details,
        name="article-details",
    ),
    path("import/", views_import.import_upload, name="import"),
    path("import/<int:batch_id>/", views_import.import_batch, name="import-batch"),
]
