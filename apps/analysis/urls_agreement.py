"""The agreement page and its CSV, under ``compare/agreement/`` (names in ``analysis``)."""

from django.urls import path

from apps.analysis import views_agreement

urlpatterns = [
    path("", views_agreement.agreement_page, name="agreement"),
    path("figures.csv", views_agreement.agreement_csv, name="agreement-csv"),
]
