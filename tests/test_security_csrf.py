"""CSRF protection on every state-changing route, generated from the app's URL map.

The world of tests/test_security_matrix.py is built, then CSRF protection is switched on for its app, as in
production. Each role allowed to use a route signs in through the real form (which itself needs the token),
then sends the route a plausible body without the token, once as a form and once as JSON. The app must answer
400 with its CSRF message, never a success, and no row in any table may change. A new POST (PUT, PATCH, DELETE)
route is covered automatically; a route may only skip the token if it is listed in EXEMPT with a reason."""
from __future__ import annotations

import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from course.extensions import csrf, db
from tests.conftest import PASSWORD, make_app
from tests.test_security_matrix import ACCESS, _url, build_world

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "The form expired or was sent from another page"

# endpoint -> why it may change state without a CSRF token. None is expected: even /auth/login needs the
# token (login CSRF), and the projector's and the API's POSTs come from pages of this site, which carry it.
EXEMPT: dict[str, str] = {}

# Signed-in roles in the order a test picks the first one allowed to use the route.
SIGNED_IN_ORDER = ("learner", "trainer", "admin", "other_learner", "other_trainer")

# A plausible body per endpoint (form fields; the JSON variant sends the same keys). Routes not listed get
# GENERIC, so a new route is still exercised.
GENERIC = {"text": "A plausible change.", "action": "save"}
PLAUSIBLE: dict[str, dict] = {
    "auth.login": {"email": "learner@example.org", "password": PASSWORD},
    "auth.register": {"join_code": "AAAAAA", "display_name": "New Person", "email": "new@example.org",
                      "password": PASSWORD, "confirm": PASSWORD},
    "auth.logout": {},
    "admin.users": {"display_name": "New Trainer", "email": "new.trainer@example.org", "role": "trainer",
                    "password": PASSWORD},
    "api.grade": {"kind": "harm", "text": "Marcus grabbed Jayden (7) by the arm.", "vignette": "hill-family"},
    "cohorts.new": {"name": "Cohort C", "day1_date": "2027-03-01", "day2_date": "2027-03-02"},
    "cohorts.edit": {"name": "Renamed cohort", "anonymous_review": "y"},
    "cohorts.add_co_trainer": {"email": "other.trainer@example.org"},
    "cohorts.remove_co_trainer": {},
    "cohorts.remove_cohort_learner": {},
    "cohorts.move_cohort_learner": {"target": "2"},
    "curriculum.complete": {"complete": "1"},
    "curriculum.position": {"position": ""},
    "drills.drill": {"text": "Marcus grabbed Jayden (7) by the arm on Saturday night."},
    "exercises.mapping": {"scale": "4", "scale_reason": "Marcus drinks; Aunt Keisha helps."},
    "exercises.mapping_autosave": {"revision": 0, "placements": {}, "entries": [], "scale": 4},
    "exercises.mapping_check": {"revision": 0, "placements": {}, "entries": [], "scale": 4},
    "exercises.mapping_restore": {"revision": "1"},
    "exercises.statement": {"text": "Marcus grabbed Jayden (7).", "revision": "0", "save": "Save draft"},
    "exercises.network": {"orientation": "Rose, Marcus grabbed Jayden's arm.", "revision": "0", "save": "Save"},
    "exercises.child_interview": {"house": "three_houses", "opening": "Hi Jayden.", "revision": "0", "save": "Save"},
    "exercises.autosave": {"text": "Marcus grabbed Jayden (7).", "revision": 0},
    "exercises.check": {"text": "Marcus grabbed Jayden (7).", "revision": 0},
    "exercises.submit": {"confirm": "Submit for trainer review"},
    "quizzes.take": {"q1": "0"},
    "quizzes.take_pool": {"q1": "0"},
    # the set screen's fields carry the statement's prefix (w<work id>-; the world's one work is work 1)
    "review.set_screen": {"w1-overall_comment": "Well done.", "w1-decision": "accept", "action": "send"},
    "review.claim_set": {},
    "review.release_set": {},
    "review.add_inline_comment": {"w1-comment-body": "Name the age.", "w1-comment-quote": "Jayden",
                                  "body": "Name the age.", "quote": "Jayden", "start": 40, "end": 46},
    "review.delete_inline_comment": {},
    "review.toggle_finding": {},
    "review.add_missed_problem": {"w1-missed-category": "jargon", "w1-missed-note": "Missed this.",
                                  "w1-missed-quote": ""},
    "review.delete_missed_problem": {},
    "review.comment_bank": {"text": "Say when it happened."},
    "review.delete_bank_entry": {},
    "review.use_bank_comment": {},
    "review.reveal_names": {"reveal": "1"},
    "notices.email": {"email": "daily"},
    "notices.open_notice": {},
    "notices.read_all": {},
    "classroom.create": {"cohort_id": "1", "day": "1", "module_id": "welcome", "day_start": "09:00"},
    "classroom.console_control": {"action": "next"},
    "classroom.end": {},
    "classroom.screen_enter": {"code": "ABCDEF"},
    "classroom.screen_control": {"action": "blank"},
    "live.enter": {"code": "ABCDEF"},
    "live.respond": {"activity_id": 1, "submit_key": "csrf-key-0001", "text": "We are worried."},
    "live.game_join": {"entrant_id": None},
    "live.game_answer": {"clue_id": "c1", "choice": 0, "submit_key": "csrf-key-0002"},
    "pilot.module_feedback": {"usefulness": "4", "clarity": "4", "comment": "Clear.", "send": "Send feedback"},
    "pilot.evaluation": {"usefulness": "4", "recommend": "yes", "keep": "The drills.", "change": "More time."},
}


class TokenReader(HTMLParser):
    """Finds the value of the hidden csrf_token input on a page."""

    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "input" and values.get("name") == "csrf_token" and self.token is None:
            self.token = values.get("value")


def page_token(client, path: str = "/auth/login") -> str:
    """Return the CSRF token from a page's form (the session cookie holds its pair)."""
    reader = TokenReader()
    reader.feed(client.get(path).get_data(as_text=True))
    assert reader.token, f"no csrf_token input on {path}"
    return reader.token


def csrf_login(client, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form with its CSRF token, as a browser does."""
    response = client.post("/auth/login", data={"email": email, "password": password,
                                                "csrf_token": page_token(client)})
    assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"


def snapshot(app) -> dict[str, list]:
    """Return every row of every table, so any change by a request shows up."""
    with app.app_context():
        db.session.remove()
        out = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table)).all()
            out[table.name] = sorted(repr(tuple(row)) for row in rows)
        db.session.remove()
        return out


def state_changing_rules() -> list[tuple[str, str, str]]:
    """Return (endpoint, rule, method) for every state-changing method in the URL map."""
    app = make_app(Path(tempfile.mkdtemp()))
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            found.append((rule.endpoint, rule.rule, method))
    return found


def roles_for(endpoint: str) -> list[str]:
    """Return the roles to test a route as: anonymous when allowed, and the first allowed signed-in role."""
    allowed = ACCESS[endpoint]
    roles = ["anonymous"] if "anonymous" in allowed else []
    signed_in = next((r for r in SIGNED_IN_ORDER if r in allowed), None)
    return roles + ([signed_in] if signed_in else [])


CASES = [(endpoint, rule, method, role)
         for endpoint, rule, method in state_changing_rules() if endpoint not in EXEMPT
         for role in roles_for(endpoint)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The security-matrix world with CSRF protection switched on, and one signed-in client per role."""
    world = build_world(tmp_path_factory.mktemp("csrf"))
    world.app.config["WTF_CSRF_ENABLED"] = True  # build_world seeds through views without tokens; now protect
    clients = {"anonymous": world.app.test_client()}
    for role, email in world.emails.items():
        clients[role] = world.app.test_client()
        csrf_login(clients[role], email)
    world.clients = clients
    yield world
    with world.app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_state_changing_route_is_tested_or_exempt():
    rules = state_changing_rules()
    assert rules, "the URL map has no POST routes: the generator is broken"
    endpoints = {endpoint for endpoint, _, _ in rules}
    assert not set(EXEMPT) - endpoints, f"EXEMPT lists routes that are gone: {sorted(set(EXEMPT) - endpoints)}"
    untested = sorted(e for e in endpoints if e not in EXEMPT and not roles_for(e))
    assert not untested, f"no role may use these routes, so CSRF cannot be tested: {untested}"


def test_only_listed_routes_are_csrf_exempt():
    app = make_app(Path(tempfile.mkdtemp()))
    exempt_views = set(csrf._exempt_views)
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        name = f"{view.__module__}.{view.__name__}"
        changes_state = bool((rule.methods or set()) & STATE_CHANGING)
        if name in exempt_views and changes_state:
            assert rule.endpoint in EXEMPT, f"{rule.endpoint} is @csrf.exempt but not listed in EXEMPT with a reason"
        blueprint = rule.endpoint.rpartition(".")[0]
        if blueprint in csrf._exempt_blueprints and changes_state:
            assert rule.endpoint in EXEMPT, f"{rule.endpoint}'s blueprint is CSRF-exempt but it is not in EXEMPT"


@pytest.mark.parametrize("endpoint, rule_text, method, role", CASES)
@pytest.mark.parametrize("variant", ["form", "json"])
def test_state_change_without_token_is_refused(world, endpoint, rule_text, method, role, variant):
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    url = _url(world, rule)
    client = world.clients[role]
    body = PLAUSIBLE.get(endpoint, GENERIC)
    before = snapshot(world.app)
    if variant == "form":
        response = client.open(url, method=method, data=body)
    else:
        response = client.open(url, method=method, json=body)
    where = f"{method} {url} as {role} ({variant}, no token)"
    assert response.status_code == 400, f"{where} gave {response.status_code}, not the CSRF refusal"
    if variant == "json" or response.is_json:
        assert CSRF_MESSAGE in (response.get_json() or {}).get("error", ""), f"{where}: not the CSRF error"
    else:
        assert CSRF_MESSAGE in response.get_data(as_text=True), f"{where}: 400 but not the CSRF error page"
    assert snapshot(world.app) == before, f"{where} changed the database despite the refusal"


def test_a_wrong_token_is_refused_too(world):
    client = world.clients["trainer"]
    before = snapshot(world.app)
    response = client.post("/review/bank", data={"text": "Forged.", "csrf_token": "not-the-token"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    response = client.post("/review/bank", json={"text": "Forged."}, headers={"X-CSRFToken": "not-the-token"})
    assert response.status_code == 400
    assert snapshot(world.app) == before


def test_another_sessions_token_is_refused(world):
    stolen = page_token(world.clients["other_trainer"], "/review/bank")
    response = world.clients["trainer"].post("/review/bank", data={"text": "Forged.", "csrf_token": stolen})
    assert response.status_code == 400


def test_the_token_lets_the_same_requests_through(world):
    """The refusals above come from the missing token: with it, a form and a JSON call succeed."""
    client = world.clients["trainer"]
    token = page_token(client, "/review/bank")
    response = client.post("/review/bank", data={"text": "Say when it happened.", "csrf_token": token})
    assert response.status_code == 302
    learner = world.clients["learner"]
    token = page_token(learner, "/modules/harm-statements")
    response = learner.post("/modules/harm-statements/position", json={"position": ""}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["saved"] is True
