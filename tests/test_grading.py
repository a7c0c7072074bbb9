"""The grader seam (course/grading.py): settings, vignettes from the app's folder, failures that lose no text,
and the rate limits on every route that grades.

The failing grader here is real: the pipeline loader is pointed at a model folder that does not exist,
so spaCy itself raises, exactly as on a server whose model was never installed.
"""
from __future__ import annotations

import pytest
import spacy
from sqlalchemy import select

import grader
import grader.pipeline
from course import create_app
from course.extensions import db
from course.grading import UNAVAILABLE, GradingSettingError, rate_refusal
from course.models import Work, WorkVersion
from course.models.classroom import LiveResponse
from course.models.work import DrillAttempt
from tests.conftest import REPO, AuthActions, make_app

BASE = "/exercises/hill-family"
HARM_TEXT = ("On Saturday evening Marcus Hill grabbed Jayden (7) by the arm and Jayden's head hit the wall, "
             "leaving four bruises on his arm.")
DRILL = "drill-harm-neglect-1"


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


@pytest.fixture
def broken_grader(monkeypatch, tmp_path):
    """A grader whose spaCy model is missing: every load fails the way it does on a misconfigured server."""
    monkeypatch.setattr(grader.pipeline, "_nlp", None)
    monkeypatch.setattr(grader.pipeline, "_state", "idle")
    monkeypatch.setattr(grader.pipeline, "_error", None)
    monkeypatch.setattr(grader.pipeline, "_load", lambda fast_attributes=True: spacy.load(tmp_path / "no-model"))


def _work(app, user_id, kind="harm"):
    with app.app_context():
        work = db.session.scalar(select(Work).where(Work.user_id == user_id, Work.kind == kind))
        if work is not None:
            db.session.expunge(work)
        return work


# ---------------------------------------------------------------- settings and vignettes

@pytest.mark.parametrize("value", [0, -5, grader.MAX_CHARS + 1, "8000", True, None])
def test_start_up_refuses_a_length_the_grader_cannot_take(tmp_path, value):
    with pytest.raises(GradingSettingError, match="GRADE_MAX_CHARS"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "GRADER_PRELOAD": False, "GRADE_MAX_CHARS": value,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_the_api_finds_a_vignette_in_the_configured_folder(tmp_path, nlp):
    """With VIGNETTES_DIR set in the app config, the API resolves the id there (it used to answer 400)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    source = (REPO / "vignettes" / "hill-family.yaml").read_text(encoding="utf-8")
    (folder / "test-family.yaml").write_text(source.replace("id: hill-family", "id: test-family", 1),
                                             encoding="utf-8")
    results = {}
    for name, overrides in (("configured", {"VIGNETTES_DIR": str(folder)}), ("default", {})):
        (tmp_path / name).mkdir()
        app = make_app(tmp_path / name, **overrides)
        client = app.test_client()
        factory_user = _user(app)
        AuthActions(client).login(factory_user)
        results[name] = client.post("/api/v1/grade", json={"kind": "harm", "text": HARM_TEXT,
                                                             "vignette": "test-family"})
    assert results["configured"].status_code == 200, results["configured"].get_json()
    report = results["configured"].get_json()
    assert report["kind"] == "harm" and all(c["present"] for c in report["components"])
    assert results["default"].status_code == 400  # the repository's folder has no such case
    assert results["default"].get_json()["field"] == "vignette"


def _user(app) -> str:
    from tests.conftest import Factory

    factory = Factory(app)
    return factory.email(factory.user("learner"))


def test_a_draft_over_the_graders_old_limit_is_checked_when_the_setting_allows_it(tmp_path, nlp):
    """GRADE_MAX_CHARS=8000: a 6,000-character draft is saved and checked, not a 500."""
    app = make_app(tmp_path, GRADE_MAX_CHARS=8000)
    client = app.test_client()
    AuthActions(client).login(_user(app))
    text = (HARM_TEXT + " ") * (6000 // (len(HARM_TEXT) + 1) + 1)
    text = text[:6000]
    assert len(text) == 6000
    response = client.post(f"{BASE}/write/harm/1/check", json={"text": text, "revision": 0})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["report"]["kind"] == "harm"
    form = client.post(f"{BASE}/write/harm/1", data={"text": text[:-6] + " More.", "revision": "1", "check": "Check"})
    assert form.status_code == 200 and 'class="report" data-verdict=' in form.get_data(as_text=True)
    api = client.post("/api/v1/grade", json={"kind": "harm", "text": text})
    assert api.status_code == 200
    too_long = client.post("/api/v1/grade", json={"kind": "harm", "text": "x" * 8001})
    assert too_long.status_code == 400 and "the limit is 8,000" in too_long.get_json()["error"]


def test_a_safety_goal_is_graded_against_the_learners_own_danger_statement(app, client, learner, nlp, monkeypatch):
    danger = ("Dana and Grandma Rose are worried that when Marcus has been drinking, he may grab Jayden (7) again, "
              "and Jayden could break a bone.")
    client.post(f"{BASE}/write/danger/1/autosave", json={"text": danger, "revision": 0})
    seen = []
    real = grader.grade
    monkeypatch.setattr(grader, "grade", lambda *args, **kwargs: seen.append(kwargs) or real(*args, **kwargs))
    goal = ("Dana and Grandma Rose need to see Marcus ask Tanya to take over caring for Jayden whenever he has "
            "been drinking, every weekend for the next six months, so that Jayden feels safe at home.")
    assert client.post(f"{BASE}/write/safety-goal/1/check", json={"text": goal, "revision": 0}).status_code == 200
    assert seen[-1]["danger"] == [danger]
    assert seen[-1]["roster"].id == "hill-family" and seen[-1]["roster"].with_role("child")


# ---------------------------------------------------------------- a grader that fails loses no text

def test_check_keeps_the_draft_when_the_grader_fails(app, client, learner, broken_grader):
    response = client.post(f"{BASE}/write/harm/1/check", json={"text": HARM_TEXT, "revision": 0})
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] is True and body["grader_unavailable"] is True and body["report"] is None
    assert body["summary"] == UNAVAILABLE and UNAVAILABLE in body["html"]
    assert _work(app, learner).draft_text == HARM_TEXT
    page = client.get(f"{BASE}/write/harm/1").get_data(as_text=True)
    assert HARM_TEXT.replace("'", "&#39;") in page  # there on reload


def test_the_plain_form_check_keeps_the_draft_when_the_grader_fails(app, client, learner, broken_grader):
    response = client.post(f"{BASE}/write/harm/1", data={"text": HARM_TEXT, "revision": "0", "check": "Check"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and UNAVAILABLE in page
    assert _work(app, learner).draft_text == HARM_TEXT
    with app.app_context():
        assert db.session.scalars(select(WorkVersion)).all() == []  # nothing kept as a checked version


def test_submit_refuses_and_keeps_the_drafts_when_the_grader_fails(app, client, learner, broken_grader):
    client.post(f"{BASE}/write/harm/1/autosave", json={"text": HARM_TEXT, "revision": 0})
    work = _work(app, learner)
    response = client.post(f"{BASE}/submit", data={f"rev_{work.id}": str(work.revision)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "feedback is unavailable right now" in page and "Your drafts are saved" in page
    assert _work(app, learner).status == "draft" and _work(app, learner).draft_text == HARM_TEXT


def test_drills_keep_the_rewrite_when_the_grader_fails(app, client, learner, broken_grader):
    rewrite = "Ana left Mia (4) and Leo (2) alone in the flat on Friday night, and Leo fell and cut his head."
    response = client.post(f"/drills/{DRILL}", data={"text": rewrite})
    assert response.status_code == 200 and UNAVAILABLE in response.get_data(as_text=True)
    with app.app_context():
        [attempt] = db.session.scalars(select(DrillAttempt)).all()
        assert (attempt.text, attempt.report, attempt.verdict) == (rewrite, None, None)
    assert rewrite in client.get(f"/drills/{DRILL}").get_data(as_text=True)  # back in the form on reload


def live_room(app, learner_email="live@example.org", address="192.0.2.20"):
    """A running class session with a statement activity; return (the learner's joined phone, the live code, activity
    id). The phone is signed in, so it is linked to the learner's account (their grading limits apply)."""
    from tests.conftest import Factory

    factory = Factory(app)
    trainer = factory.user("trainer", email="trainer@example.org")
    cohort = factory.cohort(trainer_id=trainer)
    factory.user("learner", email=learner_email, cohort_id=cohort)
    console, phone = app.test_client(), app.test_client()
    phone.environ_base["REMOTE_ADDR"] = address
    AuthActions(console).login("trainer@example.org")
    AuthActions(phone).login(learner_email)
    started = console.post("/classroom/sessions", data={"cohort_id": cohort, "day": 1, "module_id": "welcome",
                                                        "day_start": "09:00"})
    session_id = int(started.location.rstrip("/").split("/")[-1])
    console.post(f"/classroom/sessions/{session_id}/control",
                 json={"action": "start_activity", "kind": "statement", "statement_kind": "harm",
                       "vignette": "hill-family"})
    activity_id = console.get(f"/classroom/sessions/{session_id}/state").get_json()["activity"]["id"]
    from course.models.classroom import ClassSession

    with app.app_context():
        code = db.session.get(ClassSession, session_id).join_code
    assert phone.post("/live/", data={"code": code, "name": ""}).status_code == 302  # the phone joins with the code
    return phone, code, activity_id


def test_live_responses_are_kept_when_the_grader_fails(app, broken_grader):
    phone, code, activity_id = live_room(app)
    response = phone.post(f"/live/{code}/respond", json={"activity_id": activity_id, "submit_key": "key-broken-01",
                                                         "text": HARM_TEXT})
    assert response.status_code == 200
    body = response.get_json()
    assert body["grader_state"] == "unavailable" and body["message"] == UNAVAILABLE
    with app.app_context():
        [kept] = db.session.scalars(select(LiveResponse)).all()
        assert kept.text == HARM_TEXT and kept.grader_state == "unavailable"


def test_the_api_answers_503_when_the_grader_fails(client, learner, broken_grader):
    response = client.post("/api/v1/grade", json={"kind": "harm", "text": HARM_TEXT})
    assert response.status_code == 503
    assert response.get_json()["error"].startswith("Feedback is unavailable right now")
    assert response.get_json()["code"] == "grader_unavailable" and int(response.headers["Retry-After"]) > 0


def test_healthz_says_the_grader_is_unavailable_after_a_failed_load(client, learner, broken_grader):
    assert client.get("/healthz").get_json()["grader"] == "idle"  # not loaded yet: it loads on first use
    client.post("/api/v1/grade", json={"kind": "harm", "text": HARM_TEXT})
    body = client.get("/healthz").get_json()
    assert body["grader"] == "unavailable" and body["status"] == "degraded" and body["db"] == "ok"


# ---------------------------------------------------------------- rate limits

@pytest.fixture
def strict(tmp_path):
    """An app whose grading limit is two requests a minute per user (and per address)."""
    return make_app(tmp_path, GRADE_RATE_PER_USER=2, GRADE_RATE_PER_ADDRESS=3)


def _signed_in(app, email="rate@example.org", address="192.0.2.10"):
    from tests.conftest import Factory

    Factory(app).user("learner", email=email)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    AuthActions(client).login(email)
    return client


def test_checks_over_the_limit_get_429_with_the_draft_saved(strict, nlp):
    client = _signed_in(strict)
    revision = 0
    for _ in range(2):
        ok = client.post(f"{BASE}/write/harm/1/check", json={"text": HARM_TEXT, "revision": revision})
        assert ok.status_code == 200
        revision = ok.get_json()["revision"]
    third = client.post(f"{BASE}/write/harm/1/check", json={"text": HARM_TEXT + " Again.", "revision": revision})
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
    body = third.get_json()
    assert body["saved"] is True and body["retry_after"] >= 1 and "check it again in" in body["error"]
    form = client.post(f"{BASE}/write/harm/1", data={"text": HARM_TEXT + " Form.", "revision": str(body["revision"]),
                                                     "check": "Check"})
    assert form.status_code == 429 and "Your draft is saved" in form.get_data(as_text=True)
    with strict.app_context():
        assert db.session.scalar(select(Work.draft_text)) == HARM_TEXT + " Form."  # saved all the same
    saving = client.post(f"{BASE}/write/harm/1/autosave",
                         json={"text": "Still typing.", "revision": body["revision"] + 1})
    assert saving.status_code == 200  # saving never counts against the limit


@pytest.mark.parametrize("path, send, expect_json", [
    ("/api/v1/grade", {"json": {"kind": "harm", "text": HARM_TEXT}}, True),
    (f"/drills/{DRILL}", {"data": {"text": "Ana left the children alone on Friday night."}}, False),
])
def test_every_grading_route_answers_429_past_the_limit(strict, nlp, path, send, expect_json):
    client = _signed_in(strict)
    codes = [client.post(path, **send).status_code for _ in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429
    last = client.post(path, **send)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1
    if expect_json:
        assert "Try again in" in last.get_json()["error"] and last.get_json()["retry_after"] >= 1
    else:
        assert "check it again in" in last.get_data(as_text=True)


def test_submit_counts_against_the_limit(strict, nlp):
    client = _signed_in(strict)
    client.post(f"{BASE}/write/harm/1/autosave", json={"text": HARM_TEXT, "revision": 0})
    for _ in range(2):
        assert client.post("/api/v1/grade", json={"kind": "harm", "text": HARM_TEXT}).status_code == 200
    refused = client.post(f"{BASE}/submit", data={})
    assert refused.status_code == 429 and "Try again in" in refused.get_data(as_text=True)
    assert client.get(f"{BASE}/submit").status_code == 200  # looking at the page is never limited


def test_live_respond_counts_against_the_limit(strict, nlp):
    phone, code, activity_id = live_room(strict)
    codes = [phone.post(f"/live/{code}/respond", json={"activity_id": activity_id, "submit_key": f"key-rate-{i:04}",
                                                      "text": f"{HARM_TEXT} ({i})"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    with strict.app_context():
        assert db.session.scalar(select(LiveResponse.text)) == f"{HARM_TEXT} (1)"  # the refused one never arrived


def test_the_address_limit_counts_every_account_behind_one_address(strict, nlp):
    first = _signed_in(strict, "one@example.org")
    second = _signed_in(strict, "two@example.org")
    send = {"json": {"kind": "harm", "text": HARM_TEXT}}
    assert [first.post("/api/v1/grade", **send).status_code for _ in range(2)] == [200, 200]
    assert second.post("/api/v1/grade", **send).status_code == 200
    assert second.post("/api/v1/grade", **send).status_code == 429  # the address's fourth: over 3
    elsewhere = _signed_in(strict, "three@example.org", address="198.51.100.7")
    assert elsewhere.post("/api/v1/grade", **send).status_code == 200


def test_the_default_limit_lets_a_learner_type_for_a_minute(app):
    """The editor checks 1.5 s after each pause, one request at a time: 40 a minute at most; 60 pass."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        results = [rate_refusal(7) for _ in range(60)]
        assert results == [None] * 60
        refused = rate_refusal(7)
        assert refused is not None and 1 <= refused.retry_after <= app.config["GRADE_RATE_WINDOW_SECONDS"]


def test_the_default_limit_lets_a_classroom_behind_one_address_type_for_a_minute(app):
    """A room of 40 learners sharing one address, each checking 40 times a minute, is never refused."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        refused = [rate_refusal(user_id) for _ in range(40) for user_id in range(100, 140)]
        assert refused == [None] * 1600
