"""Over-long and malformed input on every POST route, generated from the URL map.

Each route is called, as a role allowed to use it (tests/test_security_matrix.py ACCESS), on a fresh copy of
the matrix's world with: (a) a form whose every field holds 100,000 characters, (b) malformed JSON sent as
application/json, (c) JSON of the wrong shape (a list, numbers for strings, nested objects, ...), and (d)
unicode, control characters and right-to-left text. The answer must be a clear 4xx or a normal validation
response (200/302 with a form error is fine for forms): never a 5xx. A body over MAX_CONTENT_LENGTH gets 413
with the friendly message."""
from __future__ import annotations

import json

import pytest

from course.pilot.objectives import OBJECTIVES
from course.quizzes.loader import get_quiz
from course.review.rubric import rubric_rows
from course.vignettes import MAP_COLUMNS, get_vignette
from tests.conftest import PASSWORD
from tests.test_security_csrf import SIGNED_IN_ORDER, state_changing_rules
from tests.test_security_matrix import ACCESS, _url, build_world

LONG = 100_000
BODY_BUDGET = 1_900_000  # MAX_CONTENT_LENGTH is 2 MB: a form with many fields gets shorter (still huge) values
TOO_LARGE_MESSAGE = "That was too large"


def _quiz_fields(quiz_id: str) -> list[str]:
    quiz = get_quiz(quiz_id)
    # The page names each item's field q-<id> (match terms and sort statements add -<part>); values are opaque.
    return [name for item in quiz.items for name in (f"q-{item.id}", f"q-{item.id}-0")]


def _mapping_fields() -> list[str]:
    return (["scale", "scale_reason", "action", "revision", "base", "entry-abc123-text", "entry-abc123-column"]
            + [f"new-{c}" for c in MAP_COLUMNS] + [f"fact_{f.id}" for f in get_vignette("hill-family").mapping_facts])


def _review_fields() -> list[str]:
    criteria = [row["criterion"].id for row in rubric_rows("harm", {})]
    # one statement's fields on the set screen (the world's one work is work 1), and the page's button
    return (["action"] + [f"w1-{name}" for name in ("overall_comment", "overall_bank", "save_overall", "decision")]
            + [f"w1-{c}-{part}" for c in criteria for part in ("score", "comment")])


# endpoint -> the form fields its page sends (callables run inside an app context). Routes not listed get
# GENERIC_FIELDS, so a new POST route is still tried.
GENERIC_FIELDS = ["text", "name", "body", "comment"]
FORM_FIELDS = {
    "auth.login": ["email", "password", "remember"],
    "auth.register": ["join_code", "display_name", "email", "password", "confirm"],
    "admin.users": ["display_name", "email", "role", "password"],
    "cohorts.new": ["name", "day1_date", "day2_date", "anonymous_review"],
    "cohorts.edit": ["name", "day1_date", "day2_date", "anonymous_review"],
    "cohorts.add_co_trainer": ["email"],
    "cohorts.move_cohort_learner": ["target"],
    "curriculum.complete": ["complete"],
    "drills.drill": ["text", "submit"],
    "exercises.mapping": _mapping_fields,
    "exercises.mapping_restore": ["revision"],
    "exercises.statement": ["text", "revision", "no_harm", "check"],
    "exercises.network": ["circle_0", "circle_1", "fit_0", "orientation", "revision", "check"],
    "exercises.child_interview": ["house", "opening", "questions", "sharing", "revision", "check"],
    "exercises.submit": ["confirm", "rev_1", "rev_2"],
    "quizzes.take": lambda: _quiz_fields("harm-statements"),
    "quizzes.take_pool": lambda: _quiz_fields("key-terms"),
    "review.set_screen": _review_fields,
    "review.add_inline_comment": [f"w1-comment-{name}" for name in ("quote", "occurrence", "start", "end", "body",
                                                                    "bank_entry", "save_to_bank")],
    "review.add_missed_problem": [f"w1-missed-{name}" for name in ("category", "quote", "note", "start", "end")],
    "notices.email": ["email"],
    "review.comment_bank": ["text"],
    "review.reveal_names": ["reveal", "next"],
    "classroom.create": ["cohort_id", "day", "module_id", "day_start"],
    "classroom.screen_enter": ["code"],
    "live.enter": ["code"],
    "pilot.module_feedback": ["usefulness", "clarity", "comment", "send"],
    "pilot.evaluation": lambda: (["usefulness", "recommend", "keep", "change"]
                                 + [f"{when}_{n}" for n in OBJECTIVES for when in ("before", "after")]),
}

# Routes that read a JSON body: malformed or wrong-shaped JSON must give them a 4xx with a JSON error.
JSON_ENDPOINTS = {"api.grade", "curriculum.position", "exercises.autosave", "exercises.check",
                  "exercises.mapping_autosave", "exercises.mapping_check",
                  "review.add_inline_comment", "classroom.console_control", "classroom.screen_control",
                  "live.respond", "live.game_join", "live.game_answer"}
JSON_KEYS = ["action", "kind", "text", "vignette", "revision", "no_harm", "keep", "position", "body", "quote", "start",
             "end", "bank_entry", "save_to_bank", "activity_id", "submit_key", "placements", "entrant_id", "clue_id",
             "choice", "modules", "teams", "mode", "statement_kind", "minutes", "index", "module_id", "value",
             "response_id", "fact_id", "points", "entries", "scale", "scale_reason"]
CONSOLE_ACTIONS = ["next", "prev", "goto", "module", "blank", "mode", "timer_toggle", "timer_reset", "start_activity",
                   "start_game", "activity.lock", "activity.results", "activity.spotlight", "activity.marks",
                   "activity.dismiss", "activity.focus_fact", "activity.reveal_fact", "activity.close", "game.open",
                   "game.reveal", "game.board", "game.award", "game.close"]

MALFORMED_JSON = ['{', '{"text": ', "{'text': 'single quotes'}", '{"text": "a",}', "NaN", '{"a": 1} trailing',
                  "\x00\x01", '"unterminated', "[" * 5000, '{"text": "\\ud800"}', '{"text": "\\uZZZZ"}']
INVALID_UTF8 = b'{"text": "\xff\xfe\xfd"}'

WEIRD_TEXT = ("\u202eevil\u202c \u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200d\ufeff "
              "\x00\x01\x07\x1b[31m\x7f \r\n\t \U0001d4d7\U0001f600 Z\u0351\u0359\u0337a\u0336 \ufffd \u0000end")


def wrong_shapes(keys: list[str] = JSON_KEYS) -> list:
    """Return JSON bodies of the wrong shape: not objects, and objects with every value of a wrong type."""
    nested = {"nested": {"deeper": [1, {"x": None}]}}
    return [
        [], [1, 2, 3], [{"text": "in a list"}], 42, 3.5, "just a string", True, None,
        {key: 12345 for key in keys},
        {key: -1 for key in keys},
        {key: 10 ** 40 for key in keys},
        {key: "9" * 5000 for key in keys},
        {key: nested for key in keys},
        {key: [1, "two", None] for key in keys},
        {key: True for key in keys},
        {key: None for key in keys},
        {key: "x" * LONG for key in keys[:15]},
        {key: WEIRD_TEXT for key in keys},
    ]


def console_bodies() -> list:
    """Return every console and projector action with each wrong-typed payload (reaching past the action check)."""
    bodies = [{"action": "start_activity", "kind": "statement", "statement_kind": "harm", "vignette": "hill-family"}]
    for action in CONSOLE_ACTIONS:
        if action.startswith("game.") and bodies[-1].get("action") != "start_game":
            bodies.append({"action": "start_game", "modules": ["key-terms"], "mode": "teams", "teams": "Red, Blue"})
        for value in (12345, "abc", "9" * 5000, [1, 2], {"a": {"b": 1}}, None, True, -1, 1.5, WEIRD_TEXT):
            bodies.append({"action": action, **{key: value for key in JSON_KEYS if key != "action"}})
    return bodies


def role_for(endpoint: str) -> str:
    """Return the role to call a route as: anonymous when allowed (forms for visitors), else a signed-in role."""
    allowed = ACCESS[endpoint]
    if "anonymous" in allowed:
        return "anonymous"
    return next(r for r in SIGNED_IN_ORDER if r in allowed)


def form_fields(app, endpoint: str) -> list[str]:
    """Return the names of the fields the route's form sends."""
    fields = FORM_FIELDS.get(endpoint, GENERIC_FIELDS)
    if callable(fields):
        with app.app_context():
            fields = fields()
    return list(fields)


def long_form(app, endpoint: str) -> dict:
    """Return the route's form with every field as long as possible (100,000 characters within the 2 MB limit)."""
    fields = form_fields(app, endpoint)
    size = min(LONG, BODY_BUDGET // max(len(fields), 1))
    assert size >= 20_000, f"{endpoint}: too many fields to send long values"  # still 4x any length limit
    return {name: "x" * size for name in fields}


def unicode_form(app, endpoint: str) -> dict:
    """Return the route's form with every field holding unicode, control characters and RTL text."""
    return {name: WEIRD_TEXT for name in form_fields(app, endpoint)}


CASES = [(endpoint, rule, method) for endpoint, rule, method in state_changing_rules()]


def _client(world, role: str):
    client = world.app.test_client()
    if role != "anonymous":
        response = client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
        assert response.status_code == 302
    return client


def _check(response, where: str, json_route: bool = False, json_sent: bool = False, strict: bool = False) -> None:
    """Assert no server error; for a JSON route sent bad JSON, a 4xx with a JSON error message."""
    assert response.status_code < 500, f"{where} gave {response.status_code}: {response.get_data(as_text=True)[:300]}"
    if strict and json_route:
        assert 400 <= response.status_code < 500, f"{where} gave {response.status_code}, not a clear 4xx"
    if json_route and json_sent and 400 <= response.status_code < 500:
        assert response.is_json, f"{where}: a JSON route answered a JSON request with {response.mimetype}"
        assert isinstance(response.get_json(), dict) and response.get_json().get("error"), f"{where}: no error message"


@pytest.mark.slow
@pytest.mark.parametrize("endpoint, rule_text, method", CASES)
def test_over_long_and_malformed_input_never_gives_a_server_error(tmp_path, endpoint, rule_text, method):
    world = build_world(tmp_path)
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    url = _url(world, rule)
    role = role_for(endpoint)
    client = _client(world, role)
    json_route = endpoint in JSON_ENDPOINTS
    where = f"{method} {url} as {role}"

    # (a) every form field 100,000 characters
    _check(client.open(url, method=method, data=long_form(world.app, endpoint)), f"{where} with long fields")
    # (d) unicode, control characters and RTL text, as a form and as JSON
    _check(client.open(url, method=method, data=unicode_form(world.app, endpoint)), f"{where} with unicode form")
    # (b) malformed JSON, and bytes that are not UTF-8
    for body in MALFORMED_JSON + [INVALID_UTF8]:
        response = client.open(url, method=method, data=body, content_type="application/json")
        _check(response, f"{where} with malformed JSON {body[:30]!r}", json_route, json_sent=True,
               strict=body != '{"text": "\\ud800"}')  # a lone surrogate escape is valid JSON syntax
    # (c) JSON of the wrong shape (the console's actions each get every wrong type). A form route gets JSON
    # keys other than its own fields here; its own fields as JSON are test_json_sent_to_a_form_route's job.
    own = set() if json_route else set(form_fields(world.app, endpoint))
    shapes = wrong_shapes([key for key in JSON_KEYS if key not in own])
    if endpoint in ("classroom.console_control", "classroom.screen_control"):
        shapes += console_bodies()
    if endpoint == "live.respond":
        shapes += [{"activity_id": 1, "submit_key": "input-key-0001", "text": value}
                   for value in (WEIRD_TEXT, "x" * LONG, 12, ["a"], {"a": 1}, None)]
    for body in shapes:
        response = client.open(url, method=method, data=json.dumps(body), content_type="application/json")
        _check(response, f"{where} with JSON {json.dumps(body)[:80]}", json_route, json_sent=True,
               strict=not isinstance(body, dict))


def test_a_body_over_the_limit_gets_413_with_a_friendly_message(tmp_path):
    world = build_world(tmp_path)
    limit = world.app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    trainer = _client(world, "trainer")
    learner = _client(world, "learner")
    big = "x" * (limit + 1)
    page = trainer.post("/review/bank", data={"text": big})
    assert page.status_code == 413 and TOO_LARGE_MESSAGE in page.get_data(as_text=True)
    anonymous = world.app.test_client()
    login = anonymous.post("/auth/login", data={"email": "learner@example.org", "password": big})
    assert login.status_code == 413 and TOO_LARGE_MESSAGE in login.get_data(as_text=True)
    api = learner.post("/api/v1/grade", json={"kind": "harm", "text": big})
    assert api.status_code == 413 and api.is_json and api.get_json().get("error")
    autosave = learner.post("/exercises/hill-family/write/harm/1/autosave", json={"text": big, "revision": 0})
    assert autosave.status_code == 413 and autosave.is_json and TOO_LARGE_MESSAGE in autosave.get_json()["error"]
    upload = trainer.post("/review/bank", data=b"text=" + b"y" * (limit + 10),
                          content_type="application/x-www-form-urlencoded")
    assert upload.status_code == 413


FORM_CASES = [(endpoint, rule, method) for endpoint, rule, method in CASES
              if endpoint not in JSON_ENDPOINTS and endpoint in FORM_FIELDS]


@pytest.mark.slow
@pytest.mark.parametrize("endpoint, rule_text, method", FORM_CASES)
def test_json_sent_to_a_form_route(tmp_path, endpoint, rule_text, method):
    world = build_world(tmp_path)
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    url = _url(world, rule)
    client = _client(world, role_for(endpoint))
    for body in wrong_shapes(form_fields(world.app, endpoint))[8:]:  # objects whose fields are the form's own
        response = client.open(url, method=method, data=json.dumps(body), content_type="application/json")
        _check(response, f"{method} {url} with JSON {json.dumps(body)[:80]}")


@pytest.mark.parametrize("how", ["form", "json", "query"])
def test_nul_characters_are_refused_before_reaching_the_database(client, auth, factory, how):
    auth.login(factory.email(factory.user()))
    if how == "form":
        response = client.post("/auth/login", data={"email": "a\x00b@example.org", "password": "x" * 12})
    elif how == "json":
        response = client.post("/api/v1/grade", json={"kind": "harm", "text": "Marcus hit\x00 Jayden."})
    else:
        response = client.get("/verify/ABC%00DEF")
    assert response.status_code == 400
    assert b"NUL character" in response.data
