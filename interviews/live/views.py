"""The dashboard's transcript import: `/interviews/<id>/import/`.

Thin: the form reads the file, `imports.transcript_import` does the work. Anyone
signed in may look at the page (a team tool); only the interview's interviewer or
staff may import.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from interviews.live.deepgram import InvalidResults
from interviews.live.imports import ImportRefused, transcript_file_read, transcript_import
from interviews.models import Interview
from interviews.selectors import interview_for_read


class TranscriptImportForm(forms.Form):
    transcript = forms.FileField(
        label=gettext_lazy("Deepgram transcript (JSON)"),
        help_text=gettext_lazy(
            "A pre-recorded Deepgram response requested with diarize=true and utterances=true."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_transcript(self) -> Any:
        upload = self.cleaned_data["transcript"]
        try:
            return transcript_file_read(upload, size=upload.size)
        except InvalidResults as exc:
            raise forms.ValidationError(str(exc)) from exc


def transcript_import_run(
    form: TranscriptImportForm, interview: Interview, by
) -> tuple[Interview | None, int]:
    """Import the form's file; on refusal the reason becomes the form's error."""
    try:
        outcome = transcript_import(
            interview=interview, response=form.cleaned_data["transcript"], by=by
        )
    except (InvalidResults, ImportRefused) as exc:
        form.add_error("transcript", str(exc))
        return None, 0
    return outcome.interview, len(outcome.transcript_ids)


@require_http_methods(["GET", "POST"])
def transcript_import_page(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = interview_for_read(
        user=request.user, interview_id=interview_id, queryset=Interview.objects.with_people()
    )
    can_change = interview.can_be_changed_by(request.user)
    status = 200
    form = TranscriptImportForm()
    if request.method == "POST":
        if not can_change:
            status = 403
            messages.error(request, _("Only the interview's interviewer or staff may import."))
        else:
            form = TranscriptImportForm(request.POST, request.FILES)
            if form.is_valid():
                done, rows = transcript_import_run(form, interview, request.user)
                if done is not None:
                    messages.success(
                        request,
                        _(
                            "Imported %(n)d transcript rows. The interview is completed; "
                            "roles, insights and the scorecard follow in a moment."
                        )
                        % {"n": rows},
                    )
                    return redirect("interviews:detail", interview.pk)
            status = 400
    return render(
        request,
        "interviews/import.html",
        {"interview": interview, "form": form, "can_change": can_change},
        status=status,
    )
