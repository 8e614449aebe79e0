from django.urls import path

from apps.annotations import views, views_codebook, views_history

app_name = "annotations"

urlpatterns = [
    path("articles/<int:article_id>/", views.reader, name="reader"),
    path(
        "articles/<int:article_id>/annotations/",
        views.annotation_create,
        name="create",
    ),
    path("annotations/<int:annotation_id>/edit/", views.annotation_edit, name="edit"),
    path("annotations/<int:annotation_id>/delete/", views.annotation_delete, name="delete"),
    path("annotations/<int:annotation_id>/reattach/", views.annotation_reattach, name="reattach"),
    path("annotations/<int:annotation_id>/confirm/", views.annotation_confirm, name="confirm"),
    path(
        "annotations/<int:annotation_id>/history/",
        views_history.annotation_history,
        name="history",
    ),
    path("activity/", views_history.activity, name="activity"),
    path("codebook/", views_codebook.codebook, name="codebook"),
    path("actors/", views_codebook.actor_list, name="actors"),
    path("claims/", views_codebook.claim_list, name="claims"),
]
