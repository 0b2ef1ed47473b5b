"""Nothing Django renders is kept by a browser or a shared cache.

Pages and API answers carry members' data (a list, a record, an access log, a token). `Cache-Control:
no-store` (with Django's never-cache set) on every response that reaches Django keeps them out of proxies,
the browser's disk cache and its back-forward cache, including after sign-out on a shared computer.
Static files never reach this: WhiteNoise, above it, answers them with a long public cache.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
