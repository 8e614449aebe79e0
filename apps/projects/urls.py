from django.urls import path

from apps.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("p/<slug:project_slug>/", views.project_home, name="home"),
]
