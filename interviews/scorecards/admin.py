"""The admin's "regenerate scorecard" action, for the interviews (or scorecards)
admin to register:

    from interviews.scorecards.admin import regenerate_scorecards

    class InterviewAdmin(admin.ModelAdmin):
        actions = [regenerate_scorecards]
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interviews.models import Interview, Scorecard, ScorecardState
from interviews.scorecards.services import ScorecardError, scorecard_generate

# Each generation calls the AI providers; more at once belongs to the runner.
MAX_PER_ACTION = 20


@admin.action(description=gettext_lazy("Regenerate scorecard"), permissions=["change"])
def regenerate_scorecards(modeladmin, request, queryset: QuerySet) -> None:
    """Regenerate the scorecards of the selected interviews (or scorecards),
    through the same service as the dashboard and the command."""
    if queryset.model is Scorecard:
        queryset = Interview.objects.filter(pk__in=queryset.values("interview_id"))
    interviews = list(queryset.order_by("pk")[: MAX_PER_ACTION + 1])
    if len(interviews) > MAX_PER_ACTION:
        modeladmin.message_user(
            request,
            _("Select at most %(n)s interviews at a time.") % {"n": MAX_PER_ACTION},
            messages.ERROR,
        )
        return
    ready = 0
    for interview in interviews:
        try:
            card = scorecard_generate(interview=interview, by=request.user)
        except ScorecardError as exc:
            modeladmin.message_user(request, f"#{interview.pk}: {exc}", messages.WARNING)
            continue
        if card.state == ScorecardState.READY:
            ready += 1
        else:
            modeladmin.message_user(
                request,
                _("#%(pk)s: generation failed: %(reason)s")
                % {"pk": interview.pk, "reason": card.failure_reason},
                messages.ERROR,
            )
    if ready:
        modeladmin.message_user(
            request,
            _("%(n)s scorecard(s) regenerated.") % {"n": ready},
            messages.SUCCESS,
        )
