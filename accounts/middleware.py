"""Who is asking: sessions (browsers), bearer tokens (machines), and the rule that
everything but a short allow-list needs an authenticated, active user."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from accounts.authentication import INVALID_TOKEN_MESSAGE, user_for_bearer
from accounts.ratelimit import password_refused, token_failure
from accounts.refusals import too_many_attempts
from interview_companion.http import request_client_address, wants_json

# Views whose POST is a password sign-in: refused before the password is checked
# while that account from this address (or this address over all accounts) is over
# its failure budget; failures are counted by the `user_login_failed` signal (see
# apps.py). Clerk's sign-in is a token exchange: its view counts bad tokens itself.
PASSWORD_SIGN_IN_VIEWS = frozenset({"accounts:login", "admin:login"})


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's middleware (views opt out with @login_not_required), with bearer
    tokens for machine clients and a JSON 401 for APIs instead of a redirect."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        # The token first: a valid one works whatever else came from its address.
        user = user_for_bearer(header[7:].strip())
        if user is None:
            if token_failure(request_client_address(request)):
                return too_many_attempts(request)
            return JsonResponse({"error": INVALID_TOKEN_MESSAGE}, status=401)
        request.user = user
        # A bearer token is not sent by the browser on its own: no CSRF risk.
        request._dont_enforce_csrf_checks = True
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method == "POST"
            and match is not None
            and match.view_name in PASSWORD_SIGN_IN_VIEWS
            and password_refused(request_client_address(request), request.POST.get("username", ""))
        ):
            return too_many_attempts(request)
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is None and request.user.is_authenticated and not request.user.is_active:
            return self.handle_no_permission(request, view_func)
        return response

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if wants_json(request):
            return JsonResponse({"error": "Authentication required."}, status=401)
        return super().handle_no_permission(request, view_func)


class UserTimezoneMiddleware:
    """Times are stored in UTC and shown in the interviewer's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tz_name = user.time_zone
        tz_name = tz_name or request.COOKIES.get("tz", "")
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name)) if tz_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
