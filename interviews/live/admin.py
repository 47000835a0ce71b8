"""The admin action "Import a Deepgram transcript" for interviews.

Register it on the Interview admin with `actions = [import_deepgram_transcript]`
(or `actions = [*existing, import_deepgram_transcript]`). Selecting one interview
and running it shows an upload form; submitting it imports through
`imports.transcript_import`, the same service as the dashboard and the command.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interviews.live.views import TranscriptImportForm, transcript_import_run
from interviews.models import Interview


@admin.action(description=gettext_lazy("Import a Deepgram transcript"), permissions=["change"])
def import_deepgram_transcript(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset
) -> TemplateResponse | None:
    interviews = list(queryset[:2])
    if len(interviews) != 1:
        modeladmin.message_user(
            request,
            _("Select exactly one interview to import a transcript into."),
            messages.WARNING,
        )
        return None
    interview: Interview = interviews[0]
    if "apply" in request.POST:
        form = TranscriptImportForm(request.POST, request.FILES)
        if form.is_valid():
            done, rows = transcript_import_run(form, interview, request.user)
            if done is not None:
                modeladmin.message_user(
                    request,
                    _("Imported %(n)d transcript rows into “%(interview)s”; it is completed.")
                    % {"n": rows, "interview": interview},
                    messages.SUCCESS,
                )
                return None  # back to the change list
    else:
        form = TranscriptImportForm()
    return TemplateResponse(
        request,
        "admin/interviews/import_transcript.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Import a Deepgram transcript"),
            "opts": modeladmin.model._meta,
            "interview": interview,
            "form": form,
            "action": "import_deepgram_transcript",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
        status=400 if form.is_bound else 200,
    )
