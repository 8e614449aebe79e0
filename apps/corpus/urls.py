from django.urls import path

from apps.corpus import views

app_name = "corpus"

urlpatterns = [
    path("stories/<int:story_id>/", views.story_detail, name="story"),
]
