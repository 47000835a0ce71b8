from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def app_settings(request: HttpRequest) -> dict:
    return {
        "CLERK_ENABLED": settings.CLERK_ENABLED,
        "CLERK_PUBLISHABLE_KEY": settings.CLERK_PUBLISHABLE_KEY,
        "JIRA_BASE_URL": settings.JIRA_BASE_URL,
    }
