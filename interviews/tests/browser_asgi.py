"""The project's ASGI application plus static files, for the browser test's Daphne
subprocess: plain `daphne` (unlike `runserver`) serves no static files, and the
capture page needs its script."""

from __future__ import annotations

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from interview_companion.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
