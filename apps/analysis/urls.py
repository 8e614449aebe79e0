from django.urls import include, path

from apps.analysis import (
    views,
    views_candidates,
    views_compare,
    views_exchange,
    views_profiles,
    views_saved,
    views_search,
)

app_name = "analysis"

urlpatterns = [
    path("compare/", views_compare.story_comparison, name="compare"),
    path("compare/matrix/", views_compare.matrix, name="matrix"),
    path("compare/passages/", views_compare.cell_passages, name="cell"),
    path("compare/articles/", views_compare.side_by_side, name="side-by-side"),
    path("compare/table.csv", views_compare.comparison_csv, name="comparison-csv"),
    path("compare/charts/", views_compare.chart_page, name="charts"),
    path("compare/charts/<slug:name>.<slug:ext>", views_compare.chart_file, name="chart-file"),
    path("compare/agreement/", include("apps.analysis.urls_agreement")),
    path("views/", views_saved.save_view, name="save-view"),
    path("views/<int:view_id>/delete/", views_saved.delete_view, name="delete-view"),
    path("claims/<int:claim_id>/", views_profiles.claim_detail, name="claim"),
    path(
        "claims/<int:claim_id>/candidates/",
        views_candidates.claim_candidates,
        name="claim-candidates",
    ),
    path("tags/<int:tag_id>/candidates/", views_candidates.tag_candidates, name="tag-candidates"),
    path(
        "claims/<int:claim_id>/blind-spots/",
        views_candidates.claim_blind_spots,
        name="claim-blind-spots",
    ),
    path(
        "tags/<int:tag_id>/blind-spots/", views_candidates.tag_blind_spots, name="tag-blind-spots"
    ),
    path("candidates/reject/", views_candidates.reject_candidate, name="reject-candidate"),
    path("actors/<int:actor_id>/", views_profiles.actor_detail, name="actor"),
    path("search/", views_search.search_page, name="search"),
    path("export/annotations.csv", views.annotations_csv, name="annotations-csv"),
    path("export/annotations.jsonld", views.annotations_jsonld, name="annotations-jsonld"),
    path("export/codebook.csv", views.codebook_csv, name="codebook-csv"),
    path("export/codebook.qdc", views.codebook_qdc, name="codebook-qdc"),
    path("export/project.qdpx", views.project_qdpx, name="project-qdpx"),
    path("import/project/", views_exchange.qdpx_upload, name="qdpx-upload"),
    path("import/project/<int:import_id>/", views_exchange.qdpx_import, name="qdpx-import"),
    path("export/articles.csv", views.articles_csv, name="articles-csv"),
]
