"""Forms of the scorecard panel (notes, hand scores, decision) and the filters of
the scorecards CSV export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from candidates.models import JobPosition
from interviews.labels import DIMENSION_LABELS
from interviews.models import SCORE_DIMENSIONS, InterviewStatus, Recommendation, ScorecardState
from interviews.scorecards.services import MAX_NOTES, MAX_REASON


class ScorecardNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Interviewer notes"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ScorecardAdjustForm(forms.Form):
    """A hand score for one dimension; an empty value gives it back to the AI."""

    dimension = forms.ChoiceField(
        label=_("Dimension"), choices=[(d, DIMENSION_LABELS[d]) for d in SCORE_DIMENSIONS]
    )
    value = forms.IntegerField(
        label=_("Score"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("1-10; leave empty to use the AI's score again."),
    )


class ScorecardDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        required=False,
        choices=[("", _("No decision yet")), *Recommendation.choices],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the decision."))
        return data


class ScorecardExportFilterForm(forms.Form):
    """The filters of the interviews list (same names, same meaning) plus the
    scorecard's own; an invalid value is ignored, so a stale link still exports."""

    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", ""), *InterviewStatus.choices])
    position = forms.ModelChoiceField(required=False, queryset=JobPosition.objects.all())
    interviewer = forms.ModelChoiceField(required=False, queryset=User.objects.all())
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    decision = forms.ChoiceField(
        required=False, choices=[("", ""), ("none", "none"), *Recommendation.choices]
    )
    recommendation = forms.ChoiceField(required=False, choices=[("", ""), *Recommendation.choices])
    state = forms.ChoiceField(required=False, choices=[("", ""), *ScorecardState.choices])

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of `scorecard_export_rows`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "candidate_text": data.get("q") or "",
            "status": data.get("status") or "",
            "position": data.get("position"),
            "interviewer": data.get("interviewer"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "decision": data.get("decision") or "",
            "recommendation": data.get("recommendation") or "",
            "state": data.get("state") or "",
        }
