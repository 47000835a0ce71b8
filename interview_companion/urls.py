from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language

from interview_companion import views
from interviews.views import home

admin.site.site_header = "Interview Companion"
admin.site.site_title = "Interview Companion"
admin.site.index_title = "Recruiting"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (a PDF, an error).
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
        name="favicon",
    ),
    # The sign-in page has a language switch too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path(
        "jsi18n/",
        login_not_required(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("candidates.urls")),
    path("", include("interviews.urls")),
    path("", include("compliance.urls")),
]

handler500 = "interview_companion.views.server_error"
