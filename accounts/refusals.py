"""How a refused sign-in is answered: JSON for API clients, a page for browsers.

Shared by the sign-in views and the authentication middleware (which refuses
unknown bearer tokens from an address over its failure budget, and password
sign-ins over theirs; see accounts/ratelimit.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.ratelimit import rate_limited_message, retry_after_header
from interview_companion.http import wants_json


def refusal(
    request: HttpRequest, *, status: int, title: str, message: str, sign_out_of_clerk: bool = False
) -> HttpResponse:
    if wants_json(request) or request.content_type == "application/json":
        return JsonResponse({"error": message}, status=status)
    return render(
        request,
        "accounts/sign_in_refused.html",
        {"title": title, "message": message, "sign_out_of_clerk": sign_out_of_clerk},
        status=status,
    )


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    response = refusal(
        request, status=429, title=_("Too many attempts"), message=rate_limited_message()
    )
    for name, value in retry_after_header().items():
        response[name] = value
    return response
