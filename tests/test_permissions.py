"""Who may see and change what, checked on EVERY URL of the URL configuration.

The URL list is generated from `get_resolver()`, so a URL added tomorrow is walked
too. Each URL is classified by its name and prefix:

- public:    the short allow-list below (answers anonymous visitors);
- admin:     `admin/...`, staff only (others are sent to the admin's sign-in);
- api:       `api/...`, anonymous gets a 401 JSON;
- page:      everything else in our apps' namespaces, anonymous is sent to sign-in.

Any active interviewer may read every api/page URL (a team tool). URLs that address
one interview (an `interview_id` / `insight_id` / ... path parameter) change it
with unsafe methods, and only the interview's interviewer or staff may do that:
another interviewer gets 403. dave (deactivated) must fare exactly like anonymous.

A URL that fits none of the rules, or whose path parameter this file cannot fill,
fails loudly: classify it in PUBLIC / PAGE_NAMES / OPEN_WRITES or teach FILL it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import ApiToken
from accounts.services import api_token_create
from accounts.tokens import hash_token
from interviews.models import Interview
from tests.factories import AIInsightFactory, ScorecardFactory, TranscriptFactory

# The allow-list: the only URLs an anonymous visitor may use, and why.
PUBLIC = {
    "healthz": "load balancers probe it",
    "favicon": "browsers ask for it on pages that name no icon; it redirects to a static file",
    "accounts:login": "the sign-in page",
    "accounts:clerk_signin": "exchanges a Clerk session token for a session",
    "accounts:clerk_webhook": "Clerk calls it; the svix signature authenticates",
    "admin:login": "the admin's password sign-in",
    "set_language": "the language switch on the sign-in page",
    "javascript-catalog": "translations for the sign-in page's scripts",
}
# Allow-listed URLs that do not answer anonymous visitors yet, and what fixes them.
# The test for these is expected to fail until the fix lands; then delete the entry.
KNOWN_GAPS: dict[str, str] = {}
# Page URLs outside our apps' namespaces.
PAGE_NAMES = {"home"}
# Pages for staff only (a candidate's rights: export and erasure of their data):
# anonymous and deactivated users are sent to sign in, interviewers get 403.
STAFF_PAGES = {
    "compliance:candidate_export": "everything about a person, as a zip",
    "compliance:candidate_erase": "deletes a candidate for good",
}
# Namespaces whose non-api URLs are dashboard pages.
PAGE_NAMESPACES = {"accounts", "candidates", "interviews"}
# Interview-scoped URLs whose unsafe methods do not change the interview, and why.
# Keep this short: each entry is a URL the owner-only check below skips.
OPEN_WRITES: dict[str, str] = {
    # Answers every method with the page itself (no @require_GET yet); it writes nothing.
}
# Path parameters naming something inside one interview: unsafe methods on such a
# URL change that interview.
INTERVIEW_SCOPED_PARAMS = {"interview_id", "insight_id", "transcript_id", "scorecard_id"}
UNSAFE_METHODS = ("post", "put", "patch", "delete")

LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"


# --- The walk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    template: str  # "interviews/<interview_id>/status/"
    name: str  # "interviews:status", or "" for an unnamed pattern
    params: tuple[str, ...]

    @property
    def kind(self) -> str:
        if self.name in PUBLIC:
            return "public"
        if self.name in STAFF_PAGES:
            return "staff"
        if self.template.startswith("admin/"):
            return "admin"
        if self.template.startswith("api/"):
            return "api"
        if self.name in PAGE_NAMES or (
            self.name.split(":")[0] in PAGE_NAMESPACES and ":" in self.name
        ):
            return "page"
        return "unclassified"

    @property
    def changes_an_interview(self) -> bool:
        return (
            self.kind in ("api", "page")
            and bool(INTERVIEW_SCOPED_PARAMS & set(self.params))
            and self.name not in OPEN_WRITES
        )

    def __str__(self) -> str:
        return f"{self.name or '(unnamed)'} /{self.template}"


_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _template(pattern) -> str:
    raw = str(pattern)
    if type(pattern).__name__ == "RegexPattern":
        raw = _REGEX_GROUP.sub(r"<\1>", raw).lstrip("^").rstrip("$").replace("\\", "")
        if "(" in raw:
            raise AssertionError(f"unnamed regex group in {raw!r}: name it so it can be filled")
        return raw
    return _ROUTE_PARAM.sub(r"<\1>", raw)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in resolver.url_patterns:
        template = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            routes += _walk(entry, template, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            routes.append(Route(template, name, tuple(_ROUTE_PARAM.findall(template))))
    return routes


ROUTES = _walk(get_resolver())
INTERVIEW_ROUTES = [r for r in ROUTES if r.changes_an_interview]


# --- The world they are walked in -----------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Hundreds of users are made here; the real hasher's cost is for real passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    ids: dict[str, int]
    clients: dict[str, Client]


@pytest.fixture
def world(alice, bob, charlie, dave, interview, candidate, position) -> World:
    transcript = TranscriptFactory(interview=interview)
    insight = AIInsightFactory(interview=interview, transcript=transcript)
    scorecard = ScorecardFactory(interview=interview)
    _row, alice_token = api_token_create(user=alice)
    # A token dave made before Clerk deleted him.
    dave_token = "ic_" + "d" * 40
    ApiToken.objects.create(user=dave, token_hash=hash_token(dave_token), prefix=dave_token[:10])

    clients = {"anonymous": Client()}
    for who, user in (("bob", bob), ("alice", alice), ("charlie", charlie), ("dave", dave)):
        clients[who] = Client()
        clients[who].force_login(user)
    clients["alice_token"] = Client(headers={"Authorization": f"Bearer {alice_token}"})
    clients["dave_token"] = Client(headers={"Authorization": f"Bearer {dave_token}"})
    ids = {
        "interview_id": interview.pk,
        "candidate_id": candidate.pk,
        "position_id": position.pk,
        "insight_id": insight.pk,
        "transcript_id": transcript.pk,
        "scorecard_id": scorecard.pk,
        "user_id": alice.pk,
    }
    return World(ids=ids, clients=clients)


def fill(route: Route, world: World) -> str:
    """The route's URL with its parameters naming real rows of the world."""
    values: dict[str, str] = {}
    segments = route.template.split("/")
    for param in route.params:
        if param in values:
            continue
        if param in world.ids:
            values[param] = str(world.ids[param])
        elif param == "content_type_id":  # admin's "view on site"
            values[param] = str(ContentType.objects.get_for_model(Interview).pk)
            values["object_id"] = str(world.ids["interview_id"])
        elif param in ("object_id", "id") and route.template.startswith("admin/"):
            # admin/<app_label>/<model_name>/<object_id>/...: a row of that model.
            app_label, model_name = segments[1], segments[2]
            row = apps.get_model(app_label, model_name).objects.order_by("pk").first()
            values[param] = str(row.pk if row else 0)
        elif param == "app_label":
            values[param] = "accounts"
        elif param == "url":  # the admin's catch-all
            values[param] = "no-such-admin-page/"
        else:
            pytest.fail(f"{route}: no value for path parameter <{param}>; add it to FILL/world")
    return "/" + _ROUTE_PARAM.sub(lambda m: values[m.group(1)], route.template)


# --- What each answer must be -------------------------------------------------------------


def redirects_to(response, login_url: str) -> bool:
    return response.status_code in (301, 302) and response["Location"].startswith(login_url)


def check_refused_like_anonymous(route: Route, response, who: str) -> None:
    where = f"{route} as {who}: {response.status_code}"
    if route.kind == "api":
        assert response.status_code == 401, where
        assert "error" in json.loads(response.content), where
    elif route.kind == "admin":
        # The admin site's own views send visitors to the admin's sign-in, its
        # model pages to the dashboard's: both are sign-in pages.
        assert redirects_to(response, ADMIN_LOGIN_URL) or redirects_to(response, LOGIN_URL), where
    else:
        assert redirects_to(response, LOGIN_URL), where


def test_every_url_is_classified():
    unclassified = [str(r) for r in ROUTES if r.kind == "unclassified"]
    assert not unclassified, (
        "New URLs nobody has classified for the permission walk; add them to PUBLIC, "
        f"PAGE_NAMES or PAGE_NAMESPACES in tests/test_permissions.py: {unclassified}"
    )


def test_the_walk_sees_the_urls_it_promises_to_check():
    names = {r.name for r in ROUTES}
    assert set(PUBLIC) - {"javascript-catalog"} <= names
    assert {"admin:index", "accounts:logout"} <= names
    assert any(r.changes_an_interview for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_who_may_get_each_url(route: Route, world: World):
    assert route.kind != "unclassified", f"{route} is unclassified (see the module docstring)"
    url = fill(route, world)
    answers = {who: client.get(url) for who, client in world.clients.items()}
    for who, response in answers.items():
        assert response.status_code < 500, f"{route} as {who}: {response.status_code}"

    if route.kind == "public":
        if route.name in KNOWN_GAPS:
            pytest.xfail(KNOWN_GAPS[route.name])
        for who in ("anonymous", "dave"):
            assert answers[who].status_code != 401, f"{route} as {who}"
            assert not redirects_to(answers[who], LOGIN_URL), f"{route} as {who}"
        return

    for who in ("anonymous", "dave"):
        check_refused_like_anonymous(route, answers[who], who)

    if route.kind == "admin":
        for who in ("bob", "alice"):
            response = answers[who]
            assert redirects_to(response, ADMIN_LOGIN_URL) or (
                # The admin's logout sends non-staff to its index, which sends them on.
                route.name == "admin:logout" and redirects_to(response, "/admin/")
            ), f"{route} as {who}: {response.status_code}"
        assert not redirects_to(answers["charlie"], ADMIN_LOGIN_URL), f"{route} as charlie"
        assert answers["charlie"].status_code != 401, f"{route} as charlie"
        return

    if route.kind == "staff":
        for who in ("bob", "alice"):
            assert answers[who].status_code == 403, f"{route} as {who}"
        assert answers["charlie"].status_code == 200, f"{route} as charlie"
        return

    for who in ("bob", "alice", "charlie"):
        response = answers[who]
        assert response.status_code not in (401, 403), f"{route} as {who}: {response.status_code}"
        assert not redirects_to(response, LOGIN_URL), f"{route} as {who}"
    # A team tool: another interviewer reads what the owner reads.
    assert answers["bob"].status_code == answers["alice"].status_code, (
        f"{route}: bob {answers['bob'].status_code}, alice {answers['alice'].status_code}"
    )
    if route.kind == "api":
        assert answers["alice_token"].status_code == answers["alice"].status_code, str(route)
        check_refused_like_anonymous(route, answers["dave_token"], "dave's API token")


def _send(client: Client, method: str, url: str, route: Route):
    if route.kind == "api":
        return getattr(client, method)(url, data="{}", content_type="application/json")
    if method == "post":
        return client.post(url, {})
    return getattr(client, method)(url)


@pytest.mark.parametrize("method", UNSAFE_METHODS)
@pytest.mark.parametrize("route", INTERVIEW_ROUTES, ids=str)
def test_only_the_owner_changes_an_interview(route: Route, method: str, world: World):
    url = fill(route, world)
    bob = _send(world.clients["bob"], method, url, route)
    alice = _send(world.clients["alice"], method, url, route)

    assert alice.status_code < 500, f"{method.upper()} {route} as alice: {alice.status_code}"
    if alice.status_code == 405:  # the URL takes no such method from anyone
        assert bob.status_code in (403, 405), f"{method.upper()} {route} as bob: {bob.status_code}"
        return
    assert alice.status_code not in (401, 403), f"{method.upper()} {route} as alice"
    assert bob.status_code == 403, f"{method.upper()} {route} as bob: {bob.status_code}"


@pytest.mark.parametrize("method", UNSAFE_METHODS)
@pytest.mark.parametrize("route", INTERVIEW_ROUTES, ids=str)
def test_staff_change_any_interview(route: Route, method: str, world: World):
    url = fill(route, world)
    charlie = _send(world.clients["charlie"], method, url, route)

    assert charlie.status_code < 500, f"{method.upper()} {route} as charlie: {charlie.status_code}"
    assert charlie.status_code not in (401, 403), f"{method.upper()} {route} as charlie"


@pytest.mark.parametrize("method", UNSAFE_METHODS)
@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "staff"], ids=str)
def test_only_staff_use_the_staff_pages(route: Route, method: str, world: World):
    url = fill(route, world)
    for who in ("bob", "alice"):
        response = _send(world.clients[who], method, url, route)
        assert response.status_code in (403, 405), f"{method.upper()} {route} as {who}"
    for who in ("anonymous", "dave"):
        check_refused_like_anonymous(route, _send(world.clients[who], method, url, route), who)
    # Staff without the confirmation change nothing (and never a 5xx).
    response = _send(world.clients["charlie"], method, url, route)
    assert response.status_code in (400, 405), f"{method.upper()} {route} as charlie"


@pytest.mark.parametrize("method", UNSAFE_METHODS)
@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "api"], ids=str)
def test_anonymous_and_deactivated_cannot_call_any_api(route: Route, method: str, world: World):
    url = fill(route, world)
    for who in ("anonymous", "dave", "dave_token"):
        response = _send(world.clients[who], method, url, route)
        check_refused_like_anonymous(route, response, who)
