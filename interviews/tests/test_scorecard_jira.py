"""The Jira hand-off against a local stand-in that answers the REST endpoints the
official `jira` client calls (serverInfo, then the issue comment POST)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.messages import get_messages

from interviews.scorecards.services import (
    scorecard_adjust_score,
    scorecard_generate,
    scorecard_record_decision,
    scorecard_update_notes,
)
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English; Spanish is the default language.
    settings.LANGUAGE_CODE = "en"


EMAIL, TOKEN = "bot@example.com", "jira-token-123"


class JiraStandIn(BaseHTTPRequestHandler):
    issues = {"HIRE-42"}
    comments: list[dict] = []
    fail_with: int | None = None

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _authorised(self) -> bool:
        expected = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._send(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
            return False
        return True

    def do_GET(self):
        if not self._authorised():
            return
        if self.path.startswith("/rest/api/2/serverInfo"):
            self._send(
                200,
                {
                    "baseUrl": f"http://{self.headers['Host']}",
                    "version": "1001.0.0-SNAPSHOT",
                    "versionNumbers": [1001, 0, 0],
                    "deploymentType": "Cloud",
                    "serverTitle": "Stand-in Jira",
                },
            )
        else:
            self._send(404, {"errorMessages": ["Not here"], "errors": {}})

    def do_POST(self):
        if not self._authorised():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        parts = self.path.split("/")  # /rest/api/2/issue/<key>/comment
        if self.fail_with:
            self._send(self.fail_with, {"errorMessages": ["Service is down"], "errors": {}})
            return
        if len(parts) == 7 and parts[4] == "issue" and parts[6] == "comment":
            key = parts[5]
            if key not in self.issues:
                self._send(
                    404,
                    {
                        "errorMessages": [
                            "Issue does not exist or you do not have permission to see it."
                        ],
                        "errors": {},
                    },
                )
                return
            type(self).comments.append({"issue": key, "body": body["body"]})
            self._send(
                201,
                {
                    "self": f"http://{self.headers['Host']}/rest/api/2/issue/{key}/comment/10001",
                    "id": "10001",
                    "body": body["body"],
                },
            )
            return
        self._send(404, {"errorMessages": ["Not here"], "errors": {}})


@pytest.fixture
def jira_server(settings):
    JiraStandIn.comments = []
    JiraStandIn.fail_with = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), JiraStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.JIRA_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.JIRA_EMAIL = EMAIL
    settings.JIRA_API_TOKEN = TOKEN
    yield JiraStandIn
    server.shutdown()
    server.server_close()


@pytest.fixture
def card(interview, alice):
    interview.candidate.jira_ticket = "HIRE-42"
    interview.candidate.save()
    completed_interview(interview)
    card = scorecard_generate(interview=interview, providers=[ScriptedProvider()])
    scorecard_adjust_score(scorecard=card, dimension="leadership", value=8)
    scorecard_update_notes(scorecard=card, notes="Nota privada: no contactar a su empresa")
    return scorecard_record_decision(
        scorecard=card, decision="hire", reason="Sólida en Django", by=alice
    )


def send(client, card):
    response = client.post(f"/interviews/{card.interview_id}/scorecard/jira/")
    assert response.status_code == 302
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_send_to_jira_posts_the_scorecard_as_a_comment_on_the_candidates_ticket(
    alice_client, jira_server, card
):
    shown = send(alice_client, card)

    assert shown == [("success", shown[0][1])]
    assert "HIRE-42" in shown[0][1]
    (comment,) = jira_server.comments
    assert comment["issue"] == "HIRE-42"
    body = comment["body"]
    assert body.startswith("h3. ")
    assert "Lucía Fernández" in body
    assert "Backend Developer" in body
    # The interviewer's decision comes before the AI's recommendation.
    assert body.index("Sólida en Django") < body.index("scripted says hire")
    assert "|8 " in body  # leadership, adjusted by hand, is marked as such
    assert "Migré un monolito Django" in body
    assert f"/interviews/{card.interview_id}/report/" in body
    assert "Nota privada" not in body  # the interviewer's notes stay in the app


def test_a_ticket_jira_does_not_know_is_reported_to_the_user(alice_client, jira_server, card):
    card.interview.candidate.jira_ticket = "HIRE-404"
    card.interview.candidate.save()

    shown = send(alice_client, card)

    ((level, text),) = shown
    assert level == "error"
    assert "HIRE-404" in text and "404" in text
    assert "Issue does not exist" in text
    assert jira_server.comments == []


def test_a_jira_outage_is_reported_to_the_user(alice_client, jira_server, card):
    jira_server.fail_with = 500

    ((level, text),) = send(alice_client, card)

    assert level == "error"
    assert "500" in text


def test_wrong_credentials_are_reported_to_the_user(alice_client, jira_server, card, settings):
    settings.JIRA_API_TOKEN = "wrong"

    ((level, text),) = send(alice_client, card)

    assert level == "error"
    assert "401" in text
    assert jira_server.comments == []


def test_an_unreachable_jira_is_reported_to_the_user(alice_client, card, settings):
    settings.JIRA_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.JIRA_EMAIL, settings.JIRA_API_TOKEN = EMAIL, TOKEN

    ((level, text),) = send(alice_client, card)

    assert level == "error"
    assert "could not be reached" in text or "no se pudo" in text.lower()


def test_without_jira_settings_the_user_is_told_what_to_configure(alice_client, card, settings):
    settings.JIRA_BASE_URL = ""

    ((level, text),) = send(alice_client, card)

    assert level == "error"
    assert "JIRA_BASE_URL" in text


def test_a_candidate_without_ticket_gets_a_clear_message(alice_client, jira_server, card):
    card.interview.candidate.jira_ticket = None
    card.interview.candidate.save()

    ((level, text),) = send(alice_client, card)

    assert level == "error"
    assert "Lucía Fernández" in text
    assert jira_server.comments == []


def test_a_hand_off_is_audited_and_a_refused_one_is_not(alice_client, alice, jira_server, card):
    from audit.models import AuditEvent

    send(alice_client, card)
    (event,) = AuditEvent.objects.filter(action="jira.handoff")
    assert (event.actor, event.interview_id, event.candidate_id) == (
        alice,
        card.interview_id,
        card.interview.candidate_id,
    )
    assert event.details == {"ticket": "HIRE-42", "version": card.version}

    jira_server.fail_with = 500
    send(alice_client, card)
    assert AuditEvent.objects.filter(action="jira.handoff").count() == 1


def test_before_the_decision_the_comment_leaves_the_ai_verdict_out(
    alice_client, alice, jira_server, card
):
    scorecard_record_decision(scorecard=card, decision=None, reason="", by=alice)

    send(alice_client, card)

    (comment,) = jira_server.comments
    assert "scripted says hire" not in comment["body"]
    assert "shown after the interviewer's decision" in comment["body"]
    assert "Overall score" not in comment["body"]
