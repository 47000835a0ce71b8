"""Interview pages. Thin: look up, call a selector, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Interview
from .selectors import live_page_state


def home(request: HttpRequest) -> HttpResponse:
    live = Interview.objects.live().with_people()[:20]
    return render(request, "interviews/home.html", {"live": live})


def live(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = get_object_or_404(Interview.objects.with_people(), pk=interview_id)
    state = live_page_state(interview)
    can_change = request.user.is_staff or interview.interviewer_id == request.user.pk
    return render(
        request,
        "interviews/live.html",
        {"interview": interview, "state": state, "can_change": can_change},
    )
