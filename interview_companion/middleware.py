"""Response headers Django's SecurityMiddleware does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
