from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    # django-htmx's {% htmx_script %} and our templates read ``csp_nonce``; django-csp
    # only offers ``CSP_NONCE``. Lazy: the nonce is made (and put in the header) on use.
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
