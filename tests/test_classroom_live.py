"""Phones in a live session without accounts: joining with the code only, its limits, the response wall,
the word summary, the session's kept summary (CSV and Markdown) and the review game's own limit."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from course.classroom.participants import DEVICE_COOKIE, token_hash
from course.classroom.words import word_summary
from course.database import utcnow
from course.extensions import db
from course.models import Cohort
from course.models.classroom import ClassSession, LiveParticipant, SessionExport
from course.vignettes import all_vignettes
from tests.conftest import AuthActions, Factory, make_app

NAMES = ["Ottoline Brackenbury", "Fenwick Adeyemi-Hart", "Marisol Quayle"]


class Room:
    """A running session, its trainer's console client and helpers to drive it."""

    def __init__(self, app, factory: Factory, **cohort):
        self.app = app
        self.email = f"trainer{factory.count}@example.org"
        self.trainer = factory.user("trainer", email=self.email, name="Tess Trainer")
        self.cohort = factory.cohort(trainer_id=self.trainer)
        if cohort:
            with app.app_context():
                for key, value in cohort.items():
                    setattr(db.session.get(Cohort, self.cohort), key, value)
                db.session.commit()
        self.console = app.test_client()
        AuthActions(self.console).login(self.email)
        self.id, self.screen, self.code = self.start()

    def start(self) -> tuple[int, str, str]:
        """Start a session for the cohort; return (id, screen code, live code)."""
        response = self.console.post("/classroom/sessions", data={"cohort_id": self.cohort, "day": 1,
                                                                  "module_id": "welcome", "day_start": "09:00"})
        assert response.status_code == 302, response.get_data(as_text=True)
        session_id = int(response.location.rstrip("/").split("/")[-1])
        with self.app.app_context():
            session = db.session.get(ClassSession, session_id)
            return session_id, session.screen_code, session.join_code

    def act(self, action: str, **data):
        """Send a console action."""
        return self.console.post(f"/classroom/sessions/{self.id}/control", json={"action": action, **data})

    def state(self) -> dict:
        """Return the console's state."""
        return self.console.get(f"/classroom/sessions/{self.id}/state").get_json()

    def screen_state(self) -> dict:
        """Return the projector's state, read by a fresh browser that typed the screen code."""
        return self.app.test_client().get(f"/classroom/screen/{self.screen}/state").get_json()

    def phone(self, name: str = "", code: str | None = None):
        """Return a new phone (no account) that joined with the code."""
        client = self.app.test_client()
        response = join(client, code or self.code, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def send(self, phone, text: str, key: str):
        """Send an answer to the current activity from a phone."""
        activity_id = self.state()["activity"]["id"]
        return phone.post(f"/live/{self.code}/respond", json={"activity_id": activity_id, "submit_key": key,
                                                              "text": text})


def join(client, code: str, name: str = ""):
    """Post the join form."""
    return client.post("/live/", data={"code": code, "name": name})


@pytest.fixture
def room(app, factory):
    """A running session with no phones yet."""
    return Room(app, factory)


def limited_app(tmp_path, **limits):
    """An app with small live limits, a factory and a room."""
    app = make_app(tmp_path, **limits)
    return app, Room(app, Factory(app))


# ---------------------------------------------------------------- joining with the code only

def test_a_phone_joins_with_the_code_only_and_is_known_by_a_hashed_token(app, room):
    phone = app.test_client()
    page = phone.get("/live/")
    assert page.status_code == 200 and "Live code" in page.get_data(as_text=True)
    token = phone.get_cookie(DEVICE_COOKIE, path="/live").value
    response = join(phone, room.code.lower().replace("", " ").strip())  # spaces and lower case are fine
    assert response.status_code == 302 and response.location.endswith(f"/live/{room.code}")
    page = phone.get(f"/live/{room.code}").get_data(as_text=True)
    assert "Participant 1" in page
    with app.app_context():
        participant = db.session.scalars(select(LiveParticipant)).one()
        assert participant.user_id is None and participant.display_name == ""
        assert participant.token_hash == token_hash(token) and token not in participant.token_hash


def test_the_live_page_has_a_minimal_header(app, room):
    phone = room.phone("Sam")
    for url in ("/live/", f"/live/{room.code}"):
        page = phone.get(url).get_data(as_text=True)
        assert 'class="live-header"' in page and 'class="site-nav"' not in page, url
        assert "Sign out" not in page


def test_a_signed_in_member_is_linked_on_every_device_and_a_stranger_is_not(app, factory, room):
    member = factory.user("learner", email="member@example.org", name="Member Person", cohort_id=room.cohort)
    stranger_cohort = factory.cohort("Elsewhere")
    stranger = factory.user("learner", email="stranger@example.org", cohort_id=stranger_cohort)
    first, second, outsider = app.test_client(), app.test_client(), app.test_client()
    for client, email in ((first, "member@example.org"), (second, "member@example.org"),
                          (outsider, "stranger@example.org")):
        AuthActions(client).login(email)
        assert join(client, room.code).status_code == 302
    with app.app_context():
        rows = {p.user_id: p for p in db.session.scalars(select(LiveParticipant))}
    assert set(rows) == {member, None}, "the member should be linked once, the stranger not at all"
    assert stranger not in rows
    room.act("start_activity", kind="question", question="One word for a safety network?")
    assert room.send(first, "Grandma", "linked-key-1").status_code == 200
    mine = second.get(f"/live/{room.code}/state").get_json()["activity"]["mine"]
    assert mine["text"] == "Grandma", "the member's second device should see the same participant's answer"


def test_names_are_cleaned_and_a_phone_may_rename_itself(app, room):
    phone = room.phone("  Sam\x07   Rivera  ")
    assert join(phone, room.code, "Sammy").status_code == 302
    with app.app_context():
        names = [p.display_name for p in db.session.scalars(select(LiveParticipant))]
    assert names == ["Sammy"]
    assert join(app.test_client(), room.code, "x" * 41).status_code == 400


def test_a_classroom_on_one_address_can_all_join(app, room):
    phones = [room.phone() for _ in range(40)]
    assert len(phones) == 40
    with app.app_context():
        assert sorted(p.number for p in db.session.scalars(select(LiveParticipant))) == list(range(1, 41))


def test_joins_are_limited_per_session(tmp_path):
    app, room = limited_app(tmp_path, LIVE_JOINS_PER_SESSION=3)
    phones = [room.phone() for _ in range(3)]
    refused = join(app.test_client(), room.code)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many phones joined this session" in refused.get_data(as_text=True)
    assert join(phones[0], room.code, "New name").status_code == 302, "a phone already in must still rejoin"


def test_joins_are_limited_per_device(tmp_path):
    app, room = limited_app(tmp_path, LIVE_JOINS_PER_DEVICE=2)
    phone = app.test_client()
    codes = [room.code] + [room.start()[2] for _ in range(2)]
    assert join(phone, codes[0]).status_code == 302
    assert join(phone, codes[1]).status_code == 302
    assert join(phone, codes[2]).status_code == 429
    assert join(app.test_client(), codes[2]).status_code == 302, "another phone is not held up"


def test_wrong_codes_are_throttled_per_device_right_code_or_not(tmp_path):
    app, room = limited_app(tmp_path, LIVE_CODE_GUESSES_PER_DEVICE=3)
    guesser = app.test_client()
    guesser.get("/live/")
    for _ in range(3):
        response = join(guesser, "ZZZZZZ")
        assert response.status_code == 400 and "No running session has that code" in response.get_data(as_text=True)
    assert join(guesser, "ZZZZZZ").status_code == 429
    assert join(guesser, room.code).status_code == 429, "a device over its guesses learns nothing from a right code"
    assert join(app.test_client(), room.code).status_code == 302, "other phones in the room are not held up"


def test_wrong_codes_are_throttled_for_the_whole_site_but_joined_phones_carry_on(tmp_path):
    app, room = limited_app(tmp_path, LIVE_CODE_GUESSES_GLOBAL=4)
    joined = room.phone("Early")
    for _ in range(5):
        join(app.test_client(), "ZZZZZZ")
    late = join(app.test_client(), room.code)
    assert late.status_code == 429 and "Too many wrong codes" in late.get_data(as_text=True)
    assert join(joined, room.code, "Still here").status_code == 302


def test_responses_are_limited_per_participant(tmp_path):
    app, room = limited_app(tmp_path, LIVE_POSTS_PER_PARTICIPANT=3)
    room.act("start_activity", kind="question", question="What helps?")
    busy, calm = room.phone(), room.phone()
    sent = [room.send(busy, f"answer {i}", f"busy-key-{i:03d}") for i in range(4)]
    assert [response.status_code for response in sent] == [200, 200, 200, 429]
    refused = sent[-1].get_json()  # the phone keeps the answer and sends it by itself after retry_after seconds
    assert 0 < refused["retry_after"] <= 60 and int(sent[-1].headers["Retry-After"]) == refused["retry_after"]
    assert "Your work is saved on this phone" in refused["error"]
    assert room.send(calm, "A neighbour", "calm-key-001").status_code == 200


def test_phones_grade_through_the_seam_and_only_statements_count_against_grading(tmp_path, nlp):
    app, room = limited_app(tmp_path, GRADE_RATE_PER_ADDRESS=2)  # the whole room shares one address
    phones = [room.phone() for _ in range(3)]
    room.act("start_activity", kind="question", question="What helps?")
    for i, phone in enumerate(phones):  # short answers are not graded, so they never count
        assert room.send(phone, f"A neighbour {i}", f"short-key-{i:03d}").status_code == 200
    room.act("start_activity", kind="statement", statement_kind="harm", vignette="hill-family")
    text = ("On Saturday evening Marcus Hill grabbed Jayden (7) by the arm and Jayden's head hit the wall, "
            "leaving four bruises on his arm.")
    sent = [room.send(phone, text, f"stmt-key-{i:03d}") for i, phone in enumerate(phones)]
    assert [response.status_code for response in sent] == [200, 200, 429]
    graded = sent[0].get_json()  # an anonymous phone is graded with the case's roster, without an account
    assert graded["grader_state"] == "done" and graded["report"]["verdict"] in ("ready", "revise")
    assert "checking is paused" in sent[2].get_json()["error"]
    assert len(room.state()["activity"]["responses"]) == 2  # the refused one never arrived


@pytest.mark.parametrize(("seconds", "shown"), [(None, "10000"), (3, "3000")])
def test_the_phone_page_carries_how_long_it_waits_on_poor_wifi(tmp_path, seconds, shown):
    app, room = limited_app(tmp_path, **({} if seconds is None else {"LIVE_REQUEST_TIMEOUT_SECONDS": seconds}))
    page = room.phone("Sam").get(f"/live/{room.code}").get_data(as_text=True)
    assert f'data-timeout-ms="{shown}"' in page


def test_the_code_expires_when_the_session_ends_and_the_phone_says_so(app, room):
    phone = room.phone("Sam")
    assert phone.get(f"/live/{room.code}/state").status_code == 200
    room.console.post(f"/classroom/sessions/{room.id}/end")
    assert phone.get(f"/live/{room.code}/state").status_code == 410
    over = phone.get(f"/live/{room.code}")
    text = over.get_data(as_text=True)
    assert over.status_code == 410 and "This session is over" in text and "What next" in text
    assert "Keep this page open" not in text
    again = join(app.test_client(), room.code)
    assert again.status_code == 400 and "No running session has that code" in again.get_data(as_text=True)


# ---------------------------------------------------------------- the wall

def test_the_wall_shows_approved_responses_without_names(app, room):
    room.act("start_activity", kind="question", question="What is one strength in the Hill family?")
    phones = [room.phone(name) for name in NAMES]
    texts = ["Grandma Rose visits every day", "Aunt Keisha helps with school runs", "Rude words here"]
    for i, (phone, text) in enumerate(zip(phones, texts, strict=True)):
        assert room.send(phone, text, f"wall-key-{i:03d}").status_code == 200
    queue = room.state()["activity"]["responses"]
    assert room.screen_state()["activity"]["wall"] == [], "nothing shows before the trainer approves"
    for response in queue[:2]:
        room.act("activity.approve", response_id=response["id"], value=True)
    room.act("activity.dismiss", response_id=queue[2]["id"])
    assert room.screen_state()["activity"]["wall"] == [], "approving alone does not put the wall up"
    room.act("mode", mode="slides")
    assert room.act("activity.show_approved", value=True).status_code == 200
    screen = room.screen_state()
    assert screen["mode"] == "activity", "one tap puts the wall on the screen"
    assert [card["text"] for card in screen["activity"]["wall"]] == texts[:2]
    assert screen["activity"]["approved"] == 2 and screen["activity"]["received"] == 3
    raw = app.test_client().get(f"/classroom/screen/{room.screen}/state").get_data(as_text=True)
    for name in NAMES:
        assert name not in raw and name.split()[0] not in raw
    assert "Participant" not in raw


def test_a_revised_answer_leaves_the_wall_until_approved_again(room):
    room.act("start_activity", kind="question", question="One word?")
    phone = room.phone()
    room.send(phone, "Safety", "rev-key-0001")
    response_id = room.state()["activity"]["responses"][0]["id"]
    room.act("activity.approve", response_id=response_id, value=True)
    room.act("activity.show_approved", value=True)
    assert len(room.screen_state()["activity"]["wall"]) == 1
    room.send(phone, "Something unkind", "rev-key-0002")
    assert room.screen_state()["activity"]["wall"] == []


def test_spotlight_shows_one_response_before_the_wall_opens(room):
    room.act("start_activity", kind="statement", statement_kind="danger", vignette="ruiz-family")
    one, two = room.phone(), room.phone()
    room.send(one, "We are worried Ana may leave Mia and Leo alone.", "spot-key-001")
    room.send(two, "Ana drinks.", "spot-key-002")
    first = room.state()["activity"]["responses"][0]
    room.act("activity.spotlight", response_id=first["id"], value=True)
    wall = room.screen_state()["activity"]["wall"]
    assert [c["featured"] for c in wall] == [True] and wall[0]["label"] == "Response 1"
    assert room.state()["activity"]["responses"][0]["approved"] is True, "showing a response approves it"


@pytest.mark.parametrize("texts, expected", [
    (["Grandma Rose", "grandma's help", "The neighbour"], [("grandma", 2), ("help", 1), ("neighbour", 1)]),
    (["safe safe safe", "safe"], [("safe", 2)]),  # one answer counts a word once
    (["the and of it", ""], []),
    ([], []),
])
def test_word_summary_counts_answers_not_repeats(texts, expected):
    summary = word_summary(texts)
    assert summary["answers"] == len(texts)
    assert [(w["word"], w["count"]) for w in summary["words"]][:len(expected)] == expected


def test_the_word_summary_counts_only_approved_answers(room):
    room.act("start_activity", kind="question", question="One word for the Okafor family's network?")
    for i, text in enumerate(["Ngozi", "Ngozi and the nurse", "swearword"]):
        room.send(room.phone(), text, f"word-key-{i:03d}")
    for response in room.state()["activity"]["responses"][:2]:
        room.act("activity.approve", response_id=response["id"], value=True)
    assert room.screen_state()["activity"]["words"] is None, "the summary waits for the trainer"
    room.act("activity.words", value=True)
    words = room.screen_state()["activity"]["words"]
    assert words["answers"] == 2 and {w["word"] for w in words["words"]} == {"ngozi", "nurse"}


@pytest.mark.parametrize("question, status", [("", 400), ("  ", 400), ("x" * 201, 400), ("What helps?", 200)])
def test_a_question_needs_words_and_fits_a_screen(room, question, status):
    assert room.act("start_activity", kind="question", question=question).status_code == status


def test_a_short_answer_has_a_short_limit(room):
    room.act("start_activity", kind="question", question="What helps?")
    phone = room.phone()
    assert room.send(phone, "x" * 281, "long-key-0001").status_code == 413
    assert room.send(phone, "x" * 280, "long-key-0002").status_code == 200


# ---------------------------------------------------------------- names on the console

def test_the_console_hides_typed_names_in_an_anonymous_cohort(app, factory):
    room = Room(app, factory, anonymous_review=True)
    room.act("start_activity", kind="question", question="What helps?")
    room.send(room.phone(NAMES[0]), "A plan", "anon-key-0001")
    state = room.state()
    assert state["names_hidden"] is True
    assert state["activity"]["responses"][0]["name"] == "Participant 1"
    assert NAMES[0] not in room.console.get(f"/classroom/sessions/{room.id}/state").get_data(as_text=True)


def test_presenting_hides_every_name_on_the_console_and_every_page_says_so(app, factory):
    room = Room(app, factory)
    member = factory.user("learner", email="shown@example.org", name="Shown Member", cohort_id=room.cohort)
    linked = app.test_client()
    AuthActions(linked).login("shown@example.org")
    assert join(linked, room.code).status_code == 302
    room.act("start_activity", kind="question", question="What helps?")
    room.send(room.phone(NAMES[1]), "A neighbour", "pres-key-0001")
    room.send(linked, "Grandma", "pres-key-0002")
    assert {r["name"] for r in room.state()["activity"]["responses"]} == {NAMES[1], "Shown Member"}
    console_page = room.console.get(f"/classroom/sessions/{room.id}").get_data(as_text=True)
    assert "Start presenting" in console_page and "presenting-banner" not in console_page

    response = room.console.post("/classroom/presenting", data={"value": "on",
                                                                "next": f"/classroom/sessions/{room.id}"})
    assert response.status_code == 302 and response.location.endswith(f"/classroom/sessions/{room.id}")
    state = room.state()
    assert state["presenting"] is True and state["names_hidden"] is True
    # the member joined first (Participant 1), so the anonymous phone is Participant 2
    assert {r["name"] for r in state["activity"]["responses"]} == {"Participant 2", "Learner 1"}
    for url in (f"/classroom/sessions/{room.id}", "/classroom/", f"/cohorts/{room.cohort}"):
        page = room.console.get(url).get_data(as_text=True)
        assert "presenting-banner" in page and "Stop presenting" in page, url
        assert "Shown Member" not in page and NAMES[1] not in page, url
    assert member

    room.console.post("/classroom/presenting", data={"value": "off"})
    assert room.state()["presenting"] is False
    assert "presenting-banner" not in room.console.get("/classroom/").get_data(as_text=True)


# ---------------------------------------------------------------- the kept summary

def ended_room(app, room) -> int:
    """Run a question, a statement and a game with named phones, end the session; return the export id."""
    phones = [room.phone(name) for name in NAMES]
    room.act("start_activity", kind="question", question="Who is in the Hill family's network?")
    for i, phone in enumerate(phones):
        room.send(phone, ["Grandma Rose", "=Aunt Keisha", "Ms. Lee"][i], f"exp-key-{i:03d}")
    for response in room.state()["activity"]["responses"]:
        room.act("activity.approve", response_id=response["id"], value=True)
    room.act("start_game", modules=["case:hill-family"], mode="individual")
    for phone in phones:
        phone.post(f"/live/{room.code}/game/join", json={})
    clue = room.state()["game"]["board"][0]["clues"][0]["id"]
    room.act("game.open", clue_id=clue)
    for i, phone in enumerate(phones):
        phone.post(f"/live/{room.code}/game/answer", json={"clue_id": clue, "choice": i % 2,
                                                            "submit_key": f"game-key-{i:03d}"})
    room.act("game.reveal")
    response = room.console.post(f"/classroom/sessions/{room.id}/end")
    return int(response.location.rstrip("/").split("/")[-1])


def test_the_summary_holds_responses_and_scores_and_no_names(app, room):
    export_id = ended_room(app, room)
    csv_text = room.console.get(f"/classroom/exports/{export_id}.csv").get_data(as_text=True)
    markdown = room.console.get(f"/classroom/exports/{export_id}.md").get_data(as_text=True)
    for text in ("Grandma Rose", "Ms. Lee", "Player 1", "Player 3", "Who is in the Hill family's network?"):
        assert text in csv_text and text in markdown, text
    assert "'=Aunt Keisha" in csv_text, "a formula-looking answer must be quoted in the CSV"
    for name in NAMES + ["Participant", "Tess Trainer"]:
        assert name not in csv_text and name not in markdown, name
    assert re.search(r"game_question,Game 1,.*,\d of 3 right", csv_text)
    page = room.console.get(f"/classroom/exports/{export_id}").get_data(as_text=True)
    assert "Download CSV" in page and "kept until" in page
    listing = room.console.get("/classroom/").get_data(as_text=True)
    assert f"/classroom/exports/{export_id}.csv" in listing


def test_ending_a_session_with_nothing_run_still_says_so(app, room):
    response = room.console.post(f"/classroom/sessions/{room.id}/end")
    export_id = int(response.location.rstrip("/").split("/")[-1])
    assert "Nothing was run in this session" in room.console.get(f"/classroom/exports/{export_id}.md").get_data(
        as_text=True)
    again = room.console.post(f"/classroom/sessions/{room.id}/end")
    assert again.status_code == 302 and again.location.endswith("/classroom/")


@pytest.mark.parametrize("who, status", [
    ("trainer", 200), ("co_trainer", 200), ("admin", 200), ("other_trainer", 404), ("learner", 403),
    ("anonymous", 302),
])
def test_only_the_cohorts_trainers_download_the_summary(app, factory, room, who, status):
    export_id = ended_room(app, room)
    client = app.test_client()
    if who == "trainer":
        client = room.console
    elif who != "anonymous":
        role = {"co_trainer": "trainer", "other_trainer": "trainer"}.get(who, who)
        email = f"{who}@example.org"
        factory.user(role, email=email, cohort_id=room.cohort if who in ("co_trainer", "learner") else None)
        AuthActions(client).login(email)
    for url in (f"/classroom/exports/{export_id}", f"/classroom/exports/{export_id}.csv",
                f"/classroom/exports/{export_id}.md"):
        response = client.get(url)
        assert response.status_code == status, f"{who} {url}"
        if status == 302:
            assert "/auth/login" in response.location
        if status == 200 and url.endswith((".csv", ".md")):
            assert "attachment" in response.headers["Content-Disposition"]
            assert response.headers["Cache-Control"] == "no-store"


def test_the_summary_is_kept_thirty_days_then_purged(app, room):
    export_id = ended_room(app, room)
    with app.app_context():
        export = db.session.get(SessionExport, export_id)
        assert timedelta(days=29) < export.expires_at - utcnow() <= timedelta(days=30)
        db.session.execute(update(SessionExport).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert room.console.get(f"/classroom/exports/{export_id}.csv").status_code == 404
    result = app.test_cli_runner().invoke(args=["classroom", "purge"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.get(SessionExport, export_id) is None


# ---------------------------------------------------------------- the review game's own limit

def test_the_game_form_ticks_no_more_than_it_allows(app, room):
    page = room.console.get(f"/classroom/sessions/{room.id}").get_data(as_text=True)
    form = page[page.index('id="game-form"'):page.index("</form>", page.index('id="game-form"'))]
    ticked = re.findall(r'name="modules" value="[^"]+" checked', form)
    assert 1 <= len(ticked) <= 6, f"{len(ticked)} modules ticked by default"
    assert "Choose up to 6 categories" in form and f"{len(ticked)} chosen" in form


def test_the_game_refuses_more_than_six_categories_and_drops_nothing(room):
    seven = ["key-terms", "icpm"] + [f"case:{v.id}" for v in all_vignettes()][:5]
    refused = room.act("start_game", modules=seven, mode="teams")
    assert refused.status_code == 400 and "up to six" in refused.get_json()["error"]
    six = seven[:6]
    assert room.act("start_game", modules=six, mode="teams").status_code == 200
    board = room.state()["game"]["board"]
    assert len(board) == 6, "a category was dropped"


def test_every_family_case_makes_a_game_category_and_a_live_activity(room):
    families = all_vignettes()
    assert len(families) >= 8
    page = room.console.get(f"/classroom/sessions/{room.id}").get_data(as_text=True)
    for vignette in families:
        assert f'value="case:{vignette.id}"' in page and f'<option value="{vignette.id}">' in page
    for start in range(0, len(families), 6):
        chunk = [f"case:{v.id}" for v in families[start:start + 6]]
        assert room.act("start_game", modules=chunk, mode="individual").status_code == 200
        board = room.state()["game"]["board"]
        assert [c["category"] for c in board] == [v.title for v in families[start:start + 6]]
        assert all(len(c["clues"]) == 5 for c in board)
        room.act("game.close")
    unknown = room.act("start_game", modules=["case:no-such-family"], mode="teams")
    assert unknown.status_code == 400 and "no questions" in unknown.get_json()["error"]
