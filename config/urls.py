from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Narrative workbench administration"
admin.site.site_title = "Narrative workbench"

project_urls = [
    path("", include("apps.corpus.urls")),
    path("", include("apps.annotations.urls")),
]

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name an icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("p/<slug:project_slug>/", include(project_urls)),
    path("", include("apps.projects.urls")),
]
