"""Pages outside any one project that need this app (a new project copies a codebook)."""

from django.urls import path

from apps.annotations import views_setup

app_name = "setup"

urlpatterns = [
    path("projects/new/", views_setup.project_new, name="project-new"),
]
