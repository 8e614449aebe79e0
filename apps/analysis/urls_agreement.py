"""The agreement page, its CSV and a tag's disagreements, under ``compare/agreement/``
(names in ``analysis``)."""

from django.urls import path

from apps.analysis import views_agreement

urlpatterns = [
    path("", views_agreement.agreement_page, name="agreement"),
    path("figures.csv", views_agreement.agreement_csv, name="agreement-csv"),
    path("tags/<int:tag_id>/", views_agreement.agreement_tag_page, name="agreement-tag"),
]
