from django.contrib import admin
from django.urls import include, path

from apps.api.views import api
from config.views import favicon

admin.site.site_header = "Narrative workbench administration"
admin.site.site_title = "Narrative workbench"

project_urls = [
    path("", include("apps.corpus.urls")),
    path("", include("apps.annotations.urls")),
    path("", include("apps.analysis.urls")),
    path("", include("apps.coding.urls")),
]

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name an icon (the admin's).
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("api/v1/", api.urls),
    path("p/<slug:project_slug>/", include(project_urls)),
    path("", include("apps.annotations.urls_site")),
    path("", include("apps.projects.urls")),
]
