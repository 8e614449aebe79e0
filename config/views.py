from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's). The static
    # URL is resolved per request: in production it needs the collectstatic manifest.
    return HttpResponsePermanentRedirect(static("favicon.svg"))
