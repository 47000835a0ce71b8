from __future__ import annotations

from django.urls import path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("candidates/<int:candidate_id>/export/", views.export, name="candidate_export"),
    path("candidates/<int:candidate_id>/erase/", views.erase, name="candidate_erase"),
]
