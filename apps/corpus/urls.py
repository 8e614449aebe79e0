from django.urls import path

from apps.corpus import views

app_name = "corpus"

urlpatterns = [
    path("", views.project_home, name="home"),
    path("stories/<int:story_id>/", views.story_detail, name="story"),
]
