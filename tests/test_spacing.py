"""Spaced retrieval: items missed in a module check come back after 1, 3 and 7 days in a short review set,
stored in the database, shown on the checks page and the course home, answered through the real form."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from course.database import utcnow
from course.extensions import db
from course.models.quizzes import QuizAttempt, ReviewItem
from course.quizzes.loader import all_quizzes, get_quiz
from course.quizzes.spacing import INTERVALS, REVIEW_SIZE, due_items, overview, record_review, schedule_missed
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
