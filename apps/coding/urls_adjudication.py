"""Adjudication, under ``/p/<slug>/adjudication/`` (names in ``coding``)."""

from django.urls import path

from apps.coding import views_adjudication as views

urlpatterns = [
    path("", views.adjudication_list, name="adjudication"),
    path("<int:article_id>/", views.adjudication_article, name="adjudicate"),
    path("<int:article_id>/adjudicated/", views.adjudicated, name="adjudicated"),
    path("<int:article_id>/take/", views.take, name="adjudicate-take"),
    path("<int:article_id>/decide/", views.decide, name="adjudicate-decide"),
    path("<int:article_id>/drop/", views.drop, name="adjudicate-drop"),
    path("<int:article_id>/undo/", views.undo, name="adjudicate-undo"),
    path("<int:article_id>/accept/", views.accept, name="adjudicate-accept"),
    path("<int:article_id>/finish/", views.finish, name="adjudicate-finish"),
]
