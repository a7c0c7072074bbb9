"""Classroom mode services and views: versions, permissions, anonymity, idempotent submits, game scores.

Phones join with the live code only (see tests/test_classroom_live.py for joining, the wall and exports)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from course.classroom.slides import deck, trainer_notes_markdown
from course.curriculum.services import get_module
from course.database import utcnow
from course.extensions import db
from course.models.classroom import ClassSession, GameAward, LiveResponse, SessionExport
from tests.conftest import AuthActions

LEARNER_NAME = "Zelda Quinterro"


def join(client, code: str, name: str = ""):
    """Join a live session from a phone with the code only; return the response."""
    return client.post("/live/", data={"code": code, "name": name})


@pytest.fixture
def room(app, factory):
    """A cohort with a trainer and a running session on the welcome module; three phones joined with the code,
    typing names (the console may show them, the projector never)."""
    trainer = factory.user("trainer", email="trainer@example.org", name="Tess Trainer")
    cohort = factory.cohort(trainer_id=trainer)
    console = app.test_client()
    AuthActions(console).login("trainer@example.org")
    response = console.post("/classroom/sessions",
                            data={"cohort_id": cohort, "day": 1, "module_id": "welcome", "day_start": "09:00"})
    assert response.status_code == 302, response.data
    session_id = int(response.location.rstrip("/").split("/")[-1])
    with app.app_context():
        s = db.session.get(ClassSession, session_id)
        codes = (s.screen_code, s.join_code)
    clients = []
    for i in range(3):
        client = app.test_client()
        assert join(client, codes[1], f"{LEARNER_NAME} {i}").status_code == 302
        clients.append(client)
    return {"console": console, "learners": clients, "id": session_id, "screen": codes[0], "join": codes[1],
            "cohort": cohort, "trainer": trainer}


def act(room, action, **data):
    """Send a console action and return the response."""
    return room["console"].post(f"/classroom/sessions/{room['id']}/control", json={"action": action, **data})


def console_state(room):
    """Return the console's state JSON."""
    return room["console"].get(f"/classroom/sessions/{room['id']}/state").get_json()


def counters(app, session_id):
    """Return the session's (version, board_version, queue_version)."""
    with app.app_context():
        s = db.session.get(ClassSession, session_id)
        return s.version, s.board_version, s.queue_version


# ---------------------------------------------------------------- slides

def test_deck_keeps_trainer_notes_off_the_slides(app):
    with app.app_context():
        module = get_module("welcome")
        slides = deck(module)
    assert len(slides) > 3
    assert all("trainer-note" not in s.html for s in slides), "a trainer note leaked onto a projected slide"
    assert any("trainer-note" in s.notes_html for s in slides)
    assert slides[0].title == module.title


def test_trainer_notes_markdown_keeps_only_trainer_callouts():
    source = "Intro\n\n!!! trainer-note \"Timing\"\n    Ten minutes.\n\n!!! key-term \"Harm\"\n    Past.\n\nAfter\n"
    notes = trainer_notes_markdown(source)
    assert "Ten minutes." in notes and "Past." not in notes and "Intro" not in notes


# ---------------------------------------------------------------- versions and polling

def test_poll_returns_304_until_something_changes(room):
    url = f"/classroom/screen/{room['screen']}/state"
    screen = room["console"].application.test_client()
    first = screen.get(url)
    etag = first.headers["ETag"]
    assert screen.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert act(room, "next").status_code == 200
    changed = screen.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["slide"]["index"] == 1
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize("poller", ["console", "screen", "phone"])
def test_a_state_is_never_older_than_its_etag(app, room, monkeypatch, poller):
    """A change that lands while a poll is being answered must not hide behind the new ETag (a client that got
    the old state with the new ETag would be told 304 until the next change: the console missed a blank)."""
    from course.classroom import live, routes, services as classroom_services

    real = classroom_services.session_counters
    landed = []

    def counters_after_a_change(column, value):
        """Put the agenda up from another connection (another worker) just before the counters are read."""
        if not landed:
            landed.append(True)
            with db.engine.begin() as other:
                other.execute(update(ClassSession).where(ClassSession.id == room["id"])
                              .values(screen_mode="agenda", version=ClassSession.version + 1))
        return real(column, value)

    monkeypatch.setattr(routes, "session_counters", counters_after_a_change)
    monkeypatch.setattr(live, "session_counters", counters_after_a_change)
    client, url = {
        "console": (room["console"], f"/classroom/sessions/{room['id']}/state"),
        "screen": (app.test_client(), f"/classroom/screen/{room['screen']}/state"),
        "phone": (room["learners"][0], f"/live/{room['join']}/state"),
    }[poller]
    first = client.get(url)
    assert landed and first.status_code == 200
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.get_json()["mode"] == "agenda", "the state predates the change its ETag already counts"


def test_statement_submission_leaves_the_shared_version_alone(app, room):
    act(room, "start_activity", kind="statement", statement_kind="danger", vignette="hill-family")
    aid = console_state(room)["activity"]["id"]
    before = counters(app, room["id"])
    res = room["learners"][0].post(f"/live/{room['join']}/respond",
                                   json={"activity_id": aid, "submit_key": "key-aaaa-0001",
                                         "text": "We are worried Marcus may hurt Jayden."})
    assert res.status_code == 200
    after = counters(app, room["id"])
    assert after[0] == before[0], "learners' shared version changed for an unmoderated response"
    assert after[1] > before[1], "the projector's count of responses did not change"
    assert after[2] > before[2], "the console's queue version did not change"


def test_mapping_submission_bumps_the_board_and_tallies_add_up(app, room):
    act(room, "start_activity", kind="mapping", vignette="hill-family")
    aid = console_state(room)["activity"]["id"]
    before = counters(app, room["id"])
    for i, client in enumerate(room["learners"]):
        category = "harm" if i < 2 else "danger"
        assert client.post(f"/live/{room['join']}/respond",
                           json={"activity_id": aid, "submit_key": f"map-key-{i}-xyz",
                                 "placements": {"f1": category, "nope": "harm"}}).status_code == 200
    assert counters(app, room["id"])[1] > before[1]
    fact = (room["console"].application.test_client().get(f"/classroom/screen/{room['screen']}/state")
            .get_json()["activity"]["fact"])
    counts = {b["category"]: b["count"] for b in fact["bars"]}
    assert counts["harm"] == 2 and counts["danger"] == 1 and sum(counts.values()) == fact["placed"] == 3
    assert fact["answer"] is None, "the answer showed before the trainer revealed it"
    act(room, "activity.reveal_fact", fact_id="f1")
    fact = (room["console"].application.test_client().get(f"/classroom/screen/{room['screen']}/state")
            .get_json()["activity"]["fact"])
    assert fact["revealed"] and fact["answer"] == "Harm" and fact["explanation"]


# ---------------------------------------------------------------- permissions

def test_learners_cannot_drive_the_console(app, factory, room):
    factory.user("learner", email="member@example.org", cohort_id=room["cohort"])
    learner = app.test_client()
    AuthActions(learner).login("member@example.org")
    assert learner.get(f"/classroom/sessions/{room['id']}").status_code == 403
    assert learner.get(f"/classroom/sessions/{room['id']}/state").status_code == 403
    assert learner.post(f"/classroom/sessions/{room['id']}/control", json={"action": "next"}).status_code == 403
    assert learner.post("/classroom/sessions",
                        data={"cohort_id": room["cohort"], "day": 1, "module_id": "welcome"}).status_code == 403


def test_trainer_cannot_run_a_cohort_they_do_not_lead(app, factory, room):
    factory.user("trainer", email="other@example.org")
    other = app.test_client()
    AuthActions(other).login("other@example.org")
    assert other.post("/classroom/sessions", data={"cohort_id": room["cohort"], "day": 1, "module_id": "welcome",
                                                   "day_start": "09:00"}).status_code == 403
    assert other.get(f"/classroom/sessions/{room['id']}").status_code == 404
    assert other.post(f"/classroom/sessions/{room['id']}/control", json={"action": "next"}).status_code == 404
    assert other.post(f"/classroom/sessions/{room['id']}/end").status_code == 404


def test_projector_keys_cannot_moderate(room):
    act(room, "start_activity", kind="statement", statement_kind="harm", vignette="hill-family")
    screen = room["console"].application.test_client()
    res = screen.post(f"/classroom/screen/{room['screen']}/control", json={"action": "activity.lock"})
    assert res.status_code == 403
    assert screen.post(f"/classroom/screen/{room['screen']}/control", json={"action": "blank"}).status_code == 200
    assert console_state(room)["blanked"] is True


def test_a_phone_that_has_not_joined_gets_the_form_not_the_room(app, room):
    stranger = app.test_client()
    page = stranger.get(f"/live/{room['join']}").get_data(as_text=True)
    assert "Join the class" in page and f'value="{room["join"]}"' in page
    assert stranger.get(f"/live/{room['join']}/state").status_code == 403
    assert stranger.post(f"/live/{room['join']}/respond", json={}).status_code == 403


def test_wrong_codes_are_refused(app, room):
    client = app.test_client()
    wrong = client.get("/classroom/screen/ZZZZZZ")
    assert wrong.status_code == 302 and wrong.location == "/classroom/screen"  # back to typing the code
    assert client.get("/classroom/screen/ZZZZZZ/state").status_code == 410
    # the learner code never opens the projector, and the screen code never joins learners
    assert client.get(f"/classroom/screen/{room['join']}/state").status_code == 410
    assert room["learners"][0].get(f"/live/{room['screen']}/state").status_code == 410
    assert join(client, room["screen"]).status_code == 400, "the screen code joined a phone"


# ---------------------------------------------------------------- submissions

def test_retry_with_the_same_key_does_not_duplicate(app, room):
    act(room, "start_activity", kind="statement", statement_kind="harm", vignette="hill-family")
    aid = console_state(room)["activity"]["id"]
    body = {"activity_id": aid, "submit_key": "same-key-123",
            "text": "On Saturday Marcus grabbed Jayden (7) by the arm."}
    first = room["learners"][0].post(f"/live/{room['join']}/respond", json=body)
    again = room["learners"][0].post(f"/live/{room['join']}/respond", json=body)
    assert first.get_json()["duplicate"] is False and again.get_json()["duplicate"] is True
    revised = room["learners"][0].post(f"/live/{room['join']}/respond",
                                       json={**body, "submit_key": "new-key-456", "text": "Revised."})
    assert revised.get_json()["revision"] == 2
    with app.app_context():
        rows = db.session.query(LiveResponse).all()
        assert len(rows) == 1 and rows[0].text == "Revised."


def test_locked_activity_refuses_new_submissions(room):
    act(room, "start_activity", kind="statement", statement_kind="harm", vignette="hill-family")
    aid = console_state(room)["activity"]["id"]
    act(room, "activity.lock", value=True)
    res = room["learners"][0].post(f"/live/{room['join']}/respond",
                                   json={"activity_id": aid, "submit_key": "locked-key-1", "text": "Text."})
    assert res.status_code == 423 and "locked" in res.get_json()["error"]


def test_danger_only_case_refuses_a_harm_activity(room):
    res = act(room, "start_activity", kind="statement", statement_kind="harm", vignette="okafor-family")
    assert res.status_code == 400 and "no harm" in res.get_json()["error"]


# ---------------------------------------------------------------- anonymity

def test_projector_never_carries_a_name(app, room):
    act(room, "start_activity", kind="statement", statement_kind="harm", vignette="hill-family")
    aid = console_state(room)["activity"]["id"]
    for i, client in enumerate(room["learners"]):
        client.post(f"/live/{room['join']}/respond",
                    json={"activity_id": aid, "submit_key": f"anon-key-{i}", "text": f"Draft {i}."})
    queue = console_state(room)["activity"]["responses"]
    assert {r["name"] for r in queue} == {f"{LEARNER_NAME} {i}" for i in range(3)}, (
        "the console should see the names the phones typed")
    for r in queue:
        act(room, "activity.spotlight", response_id=r["id"], value=True)
        act(room, "activity.marks", response_id=r["id"], value=True)
    act(room, "activity.show_approved", value=True)
    act(room, "activity.words", value=True)
    act(room, "start_game", modules=["key-terms"], mode="individual")
    for client in room["learners"]:
        client.post(f"/live/{room['join']}/game/join", json={})
    act(room, "mode", mode="activity")
    screen = app.test_client()
    page = screen.get(f"/classroom/screen/{room['screen']}").get_data(as_text=True)
    state = screen.get(f"/classroom/screen/{room['screen']}/state").get_data(as_text=True)
    for text in (page, state):
        assert LEARNER_NAME not in text and "Zelda" not in text and "Participant" not in text
    assert "Response 1" in state and "Player 1" in state


# ---------------------------------------------------------------- review game

def test_game_scores_once_and_persist(app, room):
    assert act(room, "start_game", modules=["key-terms", "icpm"], mode="teams", teams="Red, Blue").status_code == 200
    game = console_state(room)["game"]
    red = next(s for s in game["scores"] if s["label"] == "Red")
    clue_id = game["board"][0]["clues"][0]["id"]
    act(room, "game.open", clue_id=clue_id)
    with app.app_context():
        from course.models.classroom import ReviewGame
        board = db.session.get(ReviewGame, game["id"]).board
    answer = next(q for c in board for q in c["clues"] if q["id"] == clue_id)["answer"]
    for i, client in enumerate(room["learners"]):
        assert client.post(f"/live/{room['join']}/game/join", json={"entrant_id": red["id"]}).status_code == 200
        choice = answer if i < 2 else (answer + 1) % 2
        assert client.post(f"/live/{room['join']}/game/answer",
                           json={"clue_id": clue_id, "choice": choice,
                                 "submit_key": f"answer-key-{i}"}).status_code == 200
    act(room, "game.reveal")
    act(room, "game.reveal")  # a second reveal must not score twice
    act(room, "game.award", entrant_id=red["id"], points=-100)
    scores = {s["label"]: s["score"] for s in console_state(room)["game"]["scores"]}
    assert scores == {"Red": game["board"][0]["clues"][0]["points"] - 100, "Blue": 0}
    fresh = app.test_client().get(f"/classroom/screen/{room['screen']}/state").get_json()["game"]
    assert {s["label"]: s["score"] for s in fresh["scores"]} == scores
    assert fresh["board"][0]["clues"][0]["used"] is True
    with app.app_context():
        assert db.session.query(GameAward).count() == 2


def test_answers_are_hidden_until_revealed(room):
    act(room, "start_game", modules=["icpm"], mode="teams")
    clue_id = console_state(room)["game"]["board"][0]["clues"][0]["id"]
    act(room, "game.open", clue_id=clue_id)
    learner = room["learners"][0].get(f"/live/{room['join']}/state").get_json()["game"]["clue"]
    assert "answer" not in learner and "explanation" not in learner


# ---------------------------------------------------------------- ending and expiry

def test_end_session_keeps_a_summary_then_deletes_live_responses(app, room):
    act(room, "start_activity", kind="statement", statement_kind="harm", vignette="hill-family")
    aid = console_state(room)["activity"]["id"]
    room["learners"][0].post(f"/live/{room['join']}/respond",
                             json={"activity_id": aid, "submit_key": "end-key-01", "text": "Marcus left a bruise."})
    response = room["console"].post(f"/classroom/sessions/{room['id']}/end")
    assert response.status_code == 302 and "/classroom/exports/" in response.location
    with app.app_context():
        assert db.session.query(LiveResponse).count() == 0
        export = db.session.query(SessionExport).one()
        assert "Marcus left a bruise." in export.csv_text and "Marcus left a bruise." in export.markdown_text
        assert LEARNER_NAME not in export.csv_text + export.markdown_text
    assert app.test_client().get(f"/classroom/screen/{room['screen']}/state").status_code == 410


def test_expired_sessions_are_purged_by_the_cli(app, room):
    with app.app_context():
        db.session.get(ClassSession, room["id"]).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["classroom", "purge"])
    assert "Deleted 1 classroom session" in result.output
    with app.app_context():
        assert db.session.get(ClassSession, room["id"]) is None
        assert db.session.query(SessionExport).count() == 1, "an expired session left no summary"


def test_timer_runs_and_pauses(room):
    act(room, "timer_reset", minutes=2)
    assert console_state(room)["timer"] == {"seconds": 120, "left": 120, "running": False}
    act(room, "timer_toggle")
    assert console_state(room)["timer"]["running"] is True
    act(room, "timer_toggle")
    timer = console_state(room)["timer"]
    assert timer["running"] is False and 118 <= timer["left"] <= 120
    assert act(room, "timer_reset", minutes=0).status_code == 400


def test_agenda_marks_the_current_module(room):
    act(room, "module", module_id="icpm")
    agenda = console_state(room)["agenda"]
    statuses = {row["id"]: row["status"] for row in agenda}
    assert statuses["icpm"] == "now" and statuses["welcome"] == "done" and statuses["mapping"] == "next"
    assert agenda[0]["starts"] == "9:00"
    assert all(row["minutes"] > 0 for row in agenda)


def test_join_page_shows_a_qr_code(app, room):
    page = app.test_client().get(f"/classroom/screen/{room['screen']}").get_data(as_text=True)
    assert "<svg" in page and room["join"] in page
    assert "cdn" not in page.lower()


def test_choose_all_items_reach_the_game_as_odd_one_out_clues(app):
    from course.classroom.sources import all_clues
    from course.quizzes.loader import all_quizzes

    with app.app_context():
        clues = {c.id: c for module_clues in all_clues().values() for c in module_clues}
        multiples = [(q, i) for q in all_quizzes(app.config["CONTENT_DIR"]) if q.module
                     for i in q.items if i.type == "multiple"]
    assert multiples, "the course should have choose-all items"
    for _quiz, item in multiples:
        wrong = [o for o in item.options if not o.correct]
        right = {o.text for o in item.options if o.correct}
        for n, odd in enumerate(wrong, 1):
            clue = clues[f"{item.id}-odd{n}"]
            assert clue.options[clue.answer] == odd.text and clue.explanation == odd.explanation
            assert set(clue.options) - {odd.text} <= right and len(clue.options) >= 2
            assert "all that apply" not in clue.prompt.lower() and clue.prompt.endswith("Which one does not?")
