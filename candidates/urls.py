from __future__ import annotations

from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns: list = [
    path("candidates/<int:candidate_id>/cv/", views.cv_file, name="cv_file"),
    # Dashboard pages
    path("candidates/", views.candidate_list_page, name="list"),
    path("candidates/new/", views.candidate_form_page, name="create"),
    path("candidates/<int:candidate_id>/", views.candidate_detail_page, name="detail"),
    path("candidates/<int:candidate_id>/edit/", views.candidate_form_page, name="edit"),
    path("positions/", views.position_list_page, name="position_list"),
    path("positions/<int:position_id>/", views.position_detail_page, name="position_detail"),
]
