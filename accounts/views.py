"""Signing in and out: the password form (embedded default, and staff) and Clerk."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.clerk import ClerkTokenError, verify_session_token
from accounts.forms import EmailAuthenticationForm
from accounts.ratelimit import token_failure
from accounts.refusals import refusal, too_many_attempts
from accounts.selectors import user_for_clerk_id
from interview_companion.http import (
    UnreadableJSON,
    json_parse,
    request_client_address,
    safe_next,
    wants_json,
)

# Clerk users have no password here: the session must name a backend explicitly.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """The sign-in page: Clerk's component when Clerk is configured, else the
    password form (email as login name)."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if settings.CLERK_ENABLED:
            # With Clerk, interviewers sign in through Clerk only; staff use the
            # admin's password form. A second password door would bypass Clerk's
            # MFA and account policies.
            return HttpResponse(status=405, headers={"Allow": "GET"})
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clerk_signin_url"] = resolve_url("accounts:clerk_signin")
        return context


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"

    def post(self, request, *args, **kwargs):
        if not settings.CLERK_ENABLED:
            return super().post(request, *args, **kwargs)
        # Ending the Django session is not enough: Clerk's own session would sign
        # the user straight back in on the sign-in page. This page runs Clerk's
        # signOut() and then goes on to the sign-in page.
        auth_logout(request)
        return render(request, self.template_name, {"next_url": self.get_success_url()})


def _posted(request: HttpRequest) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            body = json_parse(request.body)
        except UnreadableJSON:  # malformed, nested past the parser, or NUL: no token
            return {}
        return (
            {k: v for k, v in body.items() if isinstance(v, str)} if isinstance(body, dict) else {}
        )
    return {k: request.POST.get(k, "") for k in ("token", "next")}


def _next_url(request: HttpRequest, candidate: str) -> str:
    return safe_next(request, candidate) or resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("token")
@never_cache
@login_not_required
@require_POST
def clerk_signin(request: HttpRequest) -> HttpResponse:
    """Exchange a Clerk session token (about a minute long) for a Django session.

    CSRF-protected like any form: without it another site could sign a visitor
    in as the other site's owner (login CSRF).
    """
    if not settings.CLERK_ENABLED:
        return refusal(
            request,
            status=404,
            title=_("Clerk sign-in is off"),
            message=_("Clerk sign-in is not configured here; use the password form."),
        )
    posted = _posted(request)
    token = posted.get("token", "").strip()
    if not token:
        return refusal(
            request,
            status=400,
            title=_("Sign-in failed"),
            message=_("No Clerk session token was sent."),
        )
    try:
        claims = verify_session_token(token)
    except ClerkTokenError:
        # Checked before counting: a valid token signs in whatever its address did.
        if token_failure(request_client_address(request)):
            return too_many_attempts(request)
        return refusal(
            request,
            status=401,
            title=_("Sign-in failed"),
            message=_("Your Clerk session could not be verified. Sign in again."),
            sign_out_of_clerk=True,
        )
    user = user_for_clerk_id(claims["sub"])
    if user is None:
        return refusal(
            request,
            status=403,
            title=_("Your account is not ready yet"),
            message=_(
                "You are signed in with Clerk, but your interviewer account has not "
                "arrived here yet (Clerk sends it within a few seconds of sign-up). "
                "Try again in a minute; if it persists, ask an administrator to check "
                "the Clerk webhook."
            ),
            sign_out_of_clerk=True,
        )
    if not user.is_active:
        return refusal(
            request,
            status=403,
            title=_("Account deactivated"),
            message=_("Your interviewer account has been deactivated."),
            sign_out_of_clerk=True,
        )
    auth_login(request, user, backend=SESSION_BACKEND)
    next_url = _next_url(request, posted.get("next", ""))
    if wants_json(request) or request.content_type == "application/json":
        return JsonResponse({"redirect": next_url})
    return HttpResponseRedirect(next_url)
