"""A request over the site's limits (DESIGN §8: the size of a form, its number of fields
or files) is answered with what was too much and that nothing was saved, where the user
acted, instead of Django's bare 400 page that htmx does not show."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

TOO_LARGE = 413


class RequestLimitsMiddleware:
    """Reads a POST's form before anything else does (the CSRF check would, and fail
    with a 400), and answers 413 with the reason when it is over the limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018  (parsing is the point)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as error:
                return _too_large(request, error)
        return self.get_response(request)


def _too_large(request: HttpRequest, error: Exception) -> HttpResponse:
    if isinstance(error, TooManyFieldsSent):
        what = f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields"
    elif isinstance(error, TooManyFilesSent):
        what = f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files"
    else:
        what = f"over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g} MB of form data"
    message = f"This sent {what}, more than a form may: nothing was saved."
    if request.headers.get("HX-Request") == "true":
        # htmx shows it in the page's request-error box (static/js/htmx-errors.js) and
        # leaves the form as the user filled it.
        return HttpResponse(message, status=TOO_LARGE, content_type="text/plain; charset=utf-8")
    return render(request, "413.html", {"message": message}, status=TOO_LARGE)
