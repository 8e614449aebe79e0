from django.urls import path

from apps.projects import views, views_members

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("p/<slug:project_slug>/members/", views_members.member_list, name="members"),
    path("p/<slug:project_slug>/members/add/", views_members.member_add, name="member-add"),
    path(
        "p/<slug:project_slug>/members/<int:member_id>/role/",
        views_members.member_change,
        name="member-change",
    ),
    path(
        "p/<slug:project_slug>/members/<int:member_id>/adjudicator/",
        views_members.member_adjudicator,
        name="member-adjudicator",
    ),
    path(
        "p/<slug:project_slug>/members/<int:member_id>/remove/",
        views_members.member_remove,
        name="member-remove",
    ),
]
