"""Spaced retrieval: items missed in a module check come back after 1, 3 and 7 days in a short review set,
stored in the database, shown on the checks page and the course home, answered through the real form; and the
opt-in weekly check after the course (3 missed items a week, a notice when due, the learner's history)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, update

from course.database import utcnow
from course.extensions import db
from course.mail import outbox
from course.mail.sender import SENDERS
from course.models.notices import NOT_MAILED, Notice
from course.models.quizzes import QuizAttempt, ReviewItem, WeeklyCheck, WeeklyPlan
from course.quizzes import weekly
from course.quizzes.loader import all_quizzes, get_quiz
from course.quizzes.spacing import INTERVALS, REVIEW_SIZE, due_items, overview, record_review, schedule_missed
from tests.conftest import Factory, mail_config, make_app
from tests.quiz_forms import answer_data

QUIZ = "mapping"  # six single-choice and sort items


@pytest.fixture
def learner(app, factory, auth):
    """A signed-in learner; returns their id."""
    user_id = factory.user()
    auth.login(factory.email(user_id))
    return user_id


def _every_item(app) -> SimpleNamespace:
    """All items of every check by id, so one review set's form can be answered like one check's."""
    with app.app_context():
        return SimpleNamespace(items_by_id={i.id: i for q in all_quizzes() for i in q.items})


def _days(row: ReviewItem, now) -> float | None:
    """Return how many days after `now` a row is due (None once learned)."""
    return None if row.due_at is None else round((row.due_at - now).total_seconds() / 86400, 3)


# answers to one missed item in successive reviews -> (step, days until it is due again; None once learned)
SEQUENCES = [
    ([], (0, INTERVALS[0])),
    ([1.0], (1, INTERVALS[1])),
    ([1.0, 1.0], (2, INTERVALS[2])),
    ([1.0, 1.0, 1.0], (2, None)),
    ([1.0, 0.0], (0, INTERVALS[0])),
    ([0.5], (0, INTERVALS[0])),  # a partly right match or sort item is not yet learned
    ([1.0, 1.0, 0.0, 1.0], (1, INTERVALS[1])),
]


@pytest.mark.parametrize("answers, expected", SEQUENCES)
def test_the_intervals_grow_with_right_answers_and_restart_with_a_wrong_one(app, factory, answers, expected):
    user_id = factory.user()
    now = utcnow()
    with app.app_context():
        assert schedule_missed(user_id, QUIZ, {"map-1": 0.0, "map-2": 1.0}, now=now) == 1
        row = db.session.scalar(select(ReviewItem))
        for step, points in enumerate(answers, start=1):
            now = now + timedelta(days=30 * step)
            record_review(row, points, now=now)
        assert (row.step, _days(row, now)) == expected
        assert [h["points"] for h in row.history] == [0.0, *answers]
        db.session.commit()


def test_only_due_items_come_back_at_most_three_longest_due_first(app, factory):
    user_id = factory.user()
    now = utcnow()
    with app.app_context():
        quiz = get_quiz(QUIZ)
        schedule_missed(user_id, QUIZ, {item.id: 0.0 for item in quiz.items}, now=now)
        assert due_items(user_id, now=now + timedelta(hours=23)) == []
        due = due_items(user_id, now=now + timedelta(days=1))
        assert len(due) == REVIEW_SIZE and [d.item.id for d in due] == [i.id for i in quiz.items[:REVIEW_SIZE]]
        seen = overview(user_id, now=now + timedelta(days=1))
        assert (seen.due, seen.waiting, seen.learned) == (len(quiz.items), 0, 0)


def _miss_the_check(client, app) -> None:
    """Take the mapping check through the form, answering every item wrong."""
    quiz = get_quiz(QUIZ, app.config["CONTENT_DIR"])
    html = client.get(f"/quizzes/{QUIZ}").get_data(as_text=True)
    assert client.post(f"/quizzes/{QUIZ}", data=answer_data(html, quiz, right=False)).status_code == 302


def _a_day_passes(app, user_id: int) -> None:
    """Move the learner's review dates a day earlier, as if a day had passed."""
    with app.app_context():
        for row in db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == user_id,
                                                               ReviewItem.due_at.is_not(None))):
            row.due_at -= timedelta(days=1, minutes=1)
        db.session.commit()


def test_missed_items_come_back_a_day_later_and_move_on_when_answered_right(client, app, learner):
    _miss_the_check(client, app)
    with app.app_context():
        rows = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == learner)).all()
        assert len(rows) == len(get_quiz(QUIZ).items) and {r.step for r in rows} == {0}
    checks = client.get("/quizzes/").get_data(as_text=True)
    assert "Nothing due now; the next question comes back" in checks
    assert "Nothing is due now." in client.get("/quizzes/review").get_data(as_text=True)

    _a_day_passes(app, learner)
    assert "6 questions you missed are due again" in client.get("/quizzes/").get_data(as_text=True)
    assert "Review what you missed (6 due)" in client.get("/").get_data(as_text=True)
    page = client.get("/quizzes/review").get_data(as_text=True)
    assert page.count('<fieldset class="quiz-item') == REVIEW_SIZE and "Your history" in page
    answered = client.post("/quizzes/review", data=answer_data(page, _every_item(app), right=True))
    assert answered.status_code == 200
    done = answered.get_data(as_text=True)
    assert done.count("<strong>Right:</strong>") == REVIEW_SIZE and "It comes back" in done
    with app.app_context():
        steps = sorted(r.step for r in db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == learner)))
        assert steps == [0, 0, 0, 1, 1, 1]
        assert db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.kind != "module")) is None
    # the other three are still due: a second set, answered wrong, starts them again at one day
    page = client.get("/quizzes/review").get_data(as_text=True)
    wrong = client.post("/quizzes/review", data=answer_data(page, _every_item(app), right=False))
    assert wrong.get_data(as_text=True).count("<strong>Not yet:</strong>") == REVIEW_SIZE
    assert "Nothing is due now." in client.get("/quizzes/review").get_data(as_text=True)


def test_a_set_answered_in_another_tab_is_not_scored_twice(client, app, learner):
    _miss_the_check(client, app)
    _a_day_passes(app, learner)
    page = client.get("/quizzes/review").get_data(as_text=True)
    data = answer_data(page, _every_item(app), right=True)
    assert client.post("/quizzes/review", data=data).status_code == 200
    again = client.post("/quizzes/review", data=data)
    assert again.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == learner)).all()
        assert sorted(len(r.history) for r in rows) == [1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize("right, scheduled", [(True, 0), (False, 6)])
def test_only_missed_items_are_scheduled(client, app, learner, right, scheduled):
    quiz = get_quiz(QUIZ, app.config["CONTENT_DIR"])
    html = client.get(f"/quizzes/{QUIZ}").get_data(as_text=True)
    client.post(f"/quizzes/{QUIZ}", data=answer_data(html, quiz, right=right))
    with app.app_context():
        assert len(db.session.scalars(select(ReviewItem)).all()) == scheduled
    empty = client.get("/quizzes/review").get_data(as_text=True)
    assert ("you have not missed a question" in empty) is right


def test_the_review_needs_sign_in(client):
    assert client.get("/quizzes/review").status_code == 302


# ---------------------------------------------------------------- the weekly check after the course

def _a_week_passes(app, user_id: int) -> None:
    """Move the learner's next weekly check a week (and a minute) earlier, as if the week had passed."""
    with app.app_context():
        plan = db.session.get(WeeklyPlan, user_id)
        plan.next_due_at -= weekly.WEEK + timedelta(minutes=1)
        db.session.commit()


@pytest.mark.parametrize("after, state", [
    (timedelta(0), "waiting"),
    (weekly.WEEK - timedelta(minutes=1), "waiting"),  # not before the week is up
    (weekly.WEEK, "due"),
    (weekly.WEEK * 3, "due"),  # a missed week does not pile up: one check is due
])
def test_a_weekly_check_falls_due_a_week_after_opting_in_and_not_before(app, factory, after, state):
    user_id = factory.user()
    start = utcnow()
    with app.app_context():
        schedule_missed(user_id, QUIZ, {"map-1": 0.0, "map-2": 0.0}, now=start)
        assert weekly.state_of(user_id, now=start).name == "off"
        weekly.opt_in(user_id, now=start)
        db.session.commit()
        found = weekly.state_of(user_id, now=start + after)
        assert found.name == state
        assert [p.item.id for p in found.items] == (["map-1", "map-2"] if state == "due" else [])


def test_each_week_brings_the_missed_items_asked_least_often(app, factory):
    user_id = factory.user()
    start = utcnow()
    with app.app_context():
        quiz = get_quiz(QUIZ)
        schedule_missed(user_id, QUIZ, {item.id: 0.0 for item in quiz.items}, now=start)
        weekly.opt_in(user_id, now=start)
        first = weekly.state_of(user_id, now=start + weekly.WEEK)
        assert [p.item.id for p in first.items] == [i.id for i in quiz.items[:weekly.SIZE]]
        weekly.record(user_id, first, [1.0, 0.0, 1.0], now=start + weekly.WEEK)
        assert weekly.state_of(user_id, now=start + weekly.WEEK * 2 - timedelta(minutes=1)).name == "waiting"
        second = weekly.state_of(user_id, now=start + weekly.WEEK * 2)
        assert [p.item.id for p in second.items] == [i.id for i in quiz.items[weekly.SIZE:2 * weekly.SIZE]]
        weekly.record(user_id, second, [1.0, 1.0, 1.0], now=start + weekly.WEEK * 2)
        # every item asked once: the one missed last week comes first, then the oldest misses
        third = weekly.state_of(user_id, now=start + weekly.WEEK * 3)
        assert [p.item.id for p in third.items] == [quiz.items[1].id, quiz.items[0].id, quiz.items[2].id]
        db.session.commit()


def test_a_learner_opts_in_takes_the_weekly_check_and_sees_their_history(client, app, learner):
    page = client.get("/quizzes/weekly").get_data(as_text=True)
    assert "You have not missed a question in any knowledge check" in page and "Turn on the weekly check" in page
    _miss_the_check(client, app)
    assert "Turn on the weekly check" in client.get("/quizzes/").get_data(as_text=True)
    assert "Turn the weekly check on or off" not in client.get("/quizzes/weekly").get_data(as_text=True)
    on = client.post("/quizzes/weekly/plan", data={"plan": "on"}, follow_redirects=True).get_data(as_text=True)
    assert "Weekly check on. Your first one is due" in on and "Your next check is due" in on
    assert 'name="attempt"' not in on and "No weekly checks taken yet" in on

    _a_week_passes(app, learner)
    assert "Your weekly two-minute check is ready" in client.get("/").get_data(as_text=True)  # the banner
    assert "Take this week&rsquo;s check" in client.get("/quizzes/").get_data(as_text=True)
    page = client.get("/quizzes/weekly").get_data(as_text=True)
    assert page.count('<fieldset class="quiz-item') == weekly.SIZE
    assert "Your weekly two-minute check is ready" not in page  # no banner on the check itself
    data = answer_data(page, _every_item(app), right=True)
    done = client.post("/quizzes/weekly", data=data)
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert f"This week: {weekly.SIZE} of {weekly.SIZE} right" in text and text.count("<strong>Right:</strong>") == 3
    assert f"{weekly.SIZE} of {weekly.SIZE}</td>" in text and text.count("<li>Right: ") == weekly.SIZE
    assert client.post("/quizzes/weekly", data=data).status_code == 302  # the same week again: not scored twice
    with app.app_context():
        [check] = db.session.scalars(select(WeeklyCheck).where(WeeklyCheck.user_id == learner)).all()
        plan = db.session.get(WeeklyPlan, learner)
        assert check.score == weekly.SIZE and len(check.items) == weekly.SIZE
        assert round((plan.next_due_at - check.taken_at).total_seconds() / 86400, 3) == 7
        # the weekly check leaves the 1-3-7 day review as it was
        assert {r.step for r in db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == learner))} == {0}

    _a_week_passes(app, learner)
    page = client.get("/quizzes/weekly").get_data(as_text=True)
    wrong = client.post("/quizzes/weekly", data=answer_data(page, _every_item(app), right=False))
    assert f"This week: 0 of {weekly.SIZE} right" in wrong.get_data(as_text=True)
    history = client.get("/quizzes/weekly").get_data(as_text=True).split('id="weekly-history"')[1]
    assert history.count("<li>Missed: ") == weekly.SIZE and history.count("<li>Right: ") == weekly.SIZE
    assert history.index(f"0 of {weekly.SIZE}") < history.index(f"{weekly.SIZE} of {weekly.SIZE}")  # newest first

    off = client.post("/quizzes/weekly/plan", data={"plan": "off"}, follow_redirects=True).get_data(as_text=True)
    assert "Weekly check off. Your history stays here" in off and "Your weekly check is off" in off
    assert off.split('id="weekly-history"')[1].count("<tr>") == 3  # header and two weeks
    _a_week_passes(app, learner)
    assert "Your weekly two-minute check is ready" not in client.get("/").get_data(as_text=True)


def test_the_certificate_page_offers_the_weekly_check(client, app, learner):
    from course.models import User
    from course.pilot.services import issue_if_complete
    from tests.test_pilot_support import complete_modules, finish_everything_but_modules

    with app.test_request_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)
        assert issue_if_complete(db.session.get(User, learner)) is not None
        db.session.commit()
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "Certificate of completion" in page and 'href="/quizzes/weekly"' in page


def test_opted_in_with_nothing_missed_says_so_and_sends_no_notice(client, app, learner):
    client.post("/quizzes/weekly/plan", data={"plan": "on"})
    _a_week_passes(app, learner)
    page = client.get("/quizzes/weekly").get_data(as_text=True)
    assert "It is on, but there is nothing to ask yet." in page and "You have not missed a question" in page
    assert "<fieldset" not in page
    with app.app_context():
        assert weekly.send_due_notices() == 0


def test_a_due_check_is_a_notice_once_a_week(app, factory):
    user_id = factory.user()
    start = utcnow()
    with app.app_context():
        schedule_missed(user_id, QUIZ, {"map-1": 0.0}, now=start)
        weekly.opt_in(user_id, now=start)
        assert weekly.send_due_notices(now=start + weekly.WEEK - timedelta(minutes=1)) == 0
        assert weekly.send_due_notices(now=start + weekly.WEEK) == 1
        assert weekly.send_due_notices(now=start + weekly.WEEK + timedelta(days=2)) == 0  # one per week
        [notice] = db.session.scalars(select(Notice).where(Notice.user_id == user_id)).all()
        assert notice.kind == "weekly_check" and notice.url == "/quizzes/weekly"
        assert notice.mail_batch == NOT_MAILED  # no mail server in this app: in-app only
        weekly.record(user_id, weekly.state_of(user_id, now=start + weekly.WEEK), [1.0], now=start + weekly.WEEK)
        assert weekly.send_due_notices(now=start + weekly.WEEK * 2) == 1
        db.session.commit()


def test_the_weekly_notice_is_emailed_when_mail_is_configured(tmp_path, smtp):
    mail_app = make_app(tmp_path, **mail_config(smtp, SITE_URL="https://sop.example.org"))
    try:
        user_id = Factory(mail_app).user("learner", email="wes@example.org")
        start = utcnow()
        with mail_app.app_context():
            schedule_missed(user_id, QUIZ, {"map-1": 0.0}, now=start)
            weekly.opt_in(user_id, now=start)
            db.session.commit()
        runner = mail_app.test_cli_runner()
        assert "Told 0 learners" in runner.invoke(args=["quizzes", "weekly-notices"]).output
        _a_week_passes(mail_app, user_id)
        assert "Told 1 learner " in runner.invoke(args=["quizzes", "weekly-notices"]).output
        with mail_app.app_context():
            assert outbox.flush().sent == 1
        [message] = smtp.parsed()
        assert message["To"] == "wes@example.org" and "weekly two-minute check" in message["Subject"]
        assert "https://sop.example.org/quizzes/weekly" in message.get_body(("plain",)).get_content()
    finally:
        SENDERS.stop_sender(mail_app)
        with mail_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_weekly_check_needs_sign_in(client):
    assert client.get("/quizzes/weekly").status_code == 302
    assert client.post("/quizzes/weekly/plan", data={"plan": "on"}).status_code == 302


def test_two_overlapping_notice_runs_tell_the_learner_once(app, factory, monkeypatch):
    user_id = factory.user()
    start = utcnow()
    with app.app_context():
        schedule_missed(user_id, QUIZ, {"map-1": 0.0}, now=start)
        weekly.opt_in(user_id, now=start)
        db.session.commit()
        assert weekly.send_due_notices(now=start + weekly.WEEK) == 1  # the other run, done first
        db.session.commit()
        db.session.execute(update(WeeklyPlan).values(notified_for=None))
        db.session.commit()
    real_pick, claimed = weekly.pick, []

    def pick_while_the_other_run_claims(uid, size=weekly.SIZE):
        """This run has read the due plans; meanwhile the other run claims the notice on its own connection."""
        if not claimed:
            other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
            with other.begin() as connection:
                connection.execute(update(WeeklyPlan).values(notified_for=WeeklyPlan.next_due_at))
            other.dispose()
            claimed.append(True)
        return real_pick(uid, size)

    with app.app_context():
        monkeypatch.setattr(weekly, "pick", pick_while_the_other_run_claims)
        assert weekly.send_due_notices(now=start + weekly.WEEK) == 0
        db.session.commit()
        assert claimed and len(db.session.scalars(select(Notice).where(Notice.user_id == user_id)).all()) == 1


def test_turning_the_weekly_check_on_twice_at_once_keeps_one_plan(client, app, learner, monkeypatch):
    assert client.post("/quizzes/weekly/plan", data={"plan": "on"}).status_code == 302
    with app.app_context():
        first = db.session.get(WeeklyPlan, learner).next_due_at
    # the second click read "no plan yet" before the first click's request committed its plan
    monkeypatch.setattr(weekly, "plan_of", lambda user_id: None)
    second = client.post("/quizzes/weekly/plan", data={"plan": "on"}, follow_redirects=True)
    assert second.status_code == 200 and "Weekly check on." in second.get_data(as_text=True)
    with app.app_context():
        [plan] = db.session.scalars(select(WeeklyPlan).where(WeeklyPlan.user_id == learner)).all()
        assert plan.active and plan.next_due_at == first  # the first click's week, unchanged


@pytest.mark.parametrize(("missed", "body"), [
    (["map-1"], "1 question you missed during the course, to keep it fresh."),
    (["map-1", "map-2"], "2 questions you missed during the course, to keep them fresh."),
    (["map-1", "map-2", "map-3", "map-4"], f"{weekly.SIZE} questions you missed during the course"),
])
def test_the_weekly_notice_counts_the_questions_it_will_ask(app, factory, missed, body):
    user_id = factory.user()
    start = utcnow()
    with app.app_context():
        schedule_missed(user_id, QUIZ, dict.fromkeys(missed, 0.0), now=start)
        weekly.opt_in(user_id, now=start)
        assert weekly.send_due_notices(now=start + weekly.WEEK) == 1
        notice = db.session.scalars(select(Notice).where(Notice.user_id == user_id)).one()
        assert notice.body.startswith(body)
        db.session.commit()


@pytest.mark.parametrize(("missed", "banner"), [
    ({}, False),
    ({(QUIZ, "map-1"): 0.0}, True),
    ({(QUIZ, "no-longer-in-the-course"): 0.0}, False),  # a missed item since taken out of the content
    ({("a-retired-check", "item-1"): 0.0, (QUIZ, "map-2"): 0.0}, True),
])
def test_the_banner_check_agrees_with_the_weekly_state(client, app, learner, missed, banner):
    client.post("/quizzes/weekly/plan", data={"plan": "on"})
    with app.app_context():
        for (quiz_id, item_id), points in missed.items():
            schedule_missed(learner, quiz_id, {item_id: points})
        db.session.commit()
        assert weekly.has_missed_item(learner) is banner
    assert "Your weekly two-minute check is ready" not in client.get("/").get_data(as_text=True)  # not due yet
    _a_week_passes(app, learner)
    with app.app_context():
        assert (weekly.state_of(learner).name == "due") is banner
    assert ("Your weekly two-minute check is ready" in client.get("/").get_data(as_text=True)) is banner
    client.post("/quizzes/weekly/plan", data={"plan": "off"})
    assert "Your weekly two-minute check is ready" not in client.get("/").get_data(as_text=True)


def test_the_banner_does_not_pick_the_items(client, app, learner, monkeypatch):
    client.post("/quizzes/weekly/plan", data={"plan": "on"})
    with app.app_context():
        schedule_missed(learner, QUIZ, {"map-1": 0.0})
        db.session.commit()
    _a_week_passes(app, learner)

    def too_slow_for_every_page(*args, **kwargs):
        raise AssertionError("the banner loaded every missed item")

    monkeypatch.setattr(weekly, "pick", too_slow_for_every_page)
    monkeypatch.setattr(weekly, "missed_items", too_slow_for_every_page)
    assert "Your weekly two-minute check is ready" in client.get("/").get_data(as_text=True)
