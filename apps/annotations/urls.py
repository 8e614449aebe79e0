from django.urls import path

from apps.annotations import views

app_name = "annotations"

urlpatterns = [
    path("codebook/", views.codebook, name="codebook"),
    path("actors/", views.actor_list, name="actors"),
    path("claims/", views.claim_list, name="claims"),
]
