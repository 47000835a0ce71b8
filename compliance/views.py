"""Staff pages for a candidate's rights: the data export and the erasure (with
its confirmation step). Thin: check staff, call the service, answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from candidates.models import Candidate
from compliance.services import LegalHold, candidate_erase, candidate_export


def _staff_only(request: HttpRequest) -> None:
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("Only staff may export or erase a candidate's data."))


@require_GET
def export(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _staff_only(request)
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    content = candidate_export(candidate=candidate, by=request.user, request=request)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="candidate-{candidate.pk}-{stamp}.zip"'
    # Everything about a person: no cache, shared or private, keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _staff_only(request)
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    context = {
        "candidate": candidate,
        "interview_count": candidate.interviews.count(),
        "error": "",
    }
    if request.method == "GET":
        return render(request, "compliance/erase.html", context)
    if request.POST.get("confirm") != str(candidate.pk):
        context["error"] = _("Type the candidate's number to confirm the erasure.")
        return render(request, "compliance/erase.html", context, status=400)
    try:
        candidate_erase(candidate=candidate, by=request.user)
    except LegalHold as exc:
        context["error"] = str(exc)
        return render(request, "compliance/erase.html", context, status=409)
    messages.success(
        request,
        _("Candidate %(id)s and everything about them were erased.") % {"id": candidate_id},
    )
    return redirect("candidates:list")
