"""Getting around: the recruiter (staff) reaches the admin from the dashboard and the
dashboard from the admin; the favicon is served."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_staff_see_a_link_to_the_admin(client, charlie):
    client.force_login(charlie)
    page = client.get("/").content.decode()
    assert 'href="/admin/"' in page


def test_interviewers_do_not(alice_client):
    page = alice_client.get("/").content.decode()
    assert 'href="/admin/"' not in page


def test_the_admin_leads_back_to_the_dashboard(client, charlie):
    client.force_login(charlie)
    page = client.get("/admin/").content.decode()
    assert 'class="to-dashboard" href="/"' in page


def test_every_page_names_its_favicon_and_it_is_served(alice_client):
    page = alice_client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = alice_client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_favicon_ico_leads_to_the_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
