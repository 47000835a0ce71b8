"""Response headers Django's SecurityMiddleware does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


def content_security_policy() -> str:
    # No inline scripts anywhere: every script is a static file. Clerk's Frontend API
    # host is admitted only when Clerk sign-in is configured.
    clerk = f" https://{settings.CLERK_FRONTEND_API}" if settings.CLERK_FRONTEND_API else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{clerk}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https://img.clerk.com",
            f"connect-src 'self' ws: wss:{clerk}",
            f"frame-src 'self'{clerk}",
            "worker-src 'self' blob:",
            "media-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=()")
        return response


# What an API client is told when the response carries no JSON of its own.
API_ERROR_MESSAGES = {
    400: "Bad request.",
    401: "Authentication required.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "Request too large.",
    429: "Too many requests.",
    500: "Internal server error.",
}
# Headers of the original answer a client acts on.
API_ERROR_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Content-Language")


class ApiErrorsAsJsonMiddleware:
    """Every error under /api/ is JSON, `{"error": message}`: Django's own 404 and
    405 (`require_http_methods`), a 400 for a suspicious request, answer with HTML
    or an empty body, and an API client should not have to parse a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        message = API_ERROR_MESSAGES.get(response.status_code, response.reason_phrase)
        if response.status_code == 405 and response.has_header("Allow"):
            message = f"Method not allowed: use {response['Allow']}."
        answer = JsonResponse({"error": message}, status=response.status_code)
        for name in API_ERROR_KEPT_HEADERS:
            if response.has_header(name):
                answer[name] = response[name]
        return answer
