"""Module feedback and the end-of-course evaluation, through the real views."""
import re

import pytest
from sqlalchemy import select

from course.extensions import db
from course.models.pilot import CourseEvaluation, ModuleFeedback

MODULE = "mapping"


@pytest.fixture
def learner(factory, auth):
    """A learner in a cohort, signed in; returns (user id, cohort id)."""
    cohort_id = factory.cohort()
    user_id = factory.user("learner", cohort_id=cohort_id)
    auth.login(factory.email(user_id))
    return user_id, cohort_id


def _feedback(app, user_id):
    with app.app_context():
        return db.session.scalar(select(ModuleFeedback).where(ModuleFeedback.user_id == user_id))


def test_module_page_offers_the_feedback_form_to_learners(client, learner):
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    assert "How was this module?" in page
    assert 'name="usefulness"' in page and 'name="clarity"' in page
    assert ">Skip<" in page or 'value="Skip"' in page


def test_rating_is_saved_with_the_cohort(app, client, learner):
    user_id, cohort_id = learner
    response = client.post(f"/pilot/modules/{MODULE}/feedback",
                           data={"usefulness": "4", "clarity": "2", "comment": " Too long ", "send": "Send feedback"})
    assert response.status_code == 302 and response.location.endswith(f"/modules/{MODULE}#feedback")
    row = _feedback(app, user_id)
    assert ((row.usefulness, row.clarity, row.comment, row.skipped, row.cohort_id)
            == (4, 2, "Too long", False, cohort_id))
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    assert "you rated it 4 of 5 for usefulness and 2 of 5 for clarity" in page
    assert "How was this module?" not in page


def test_both_ratings_are_needed_unless_skipping(app, client, learner):
    response = client.post(f"/pilot/modules/{MODULE}/feedback", data={"usefulness": "4", "send": "Send feedback"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a clarity rating from 1 to 5, or skip." in page
    assert 'aria-invalid="true"' in page
    assert _feedback(app, learner[0]) is None


def test_a_too_long_comment_says_how_long_it_is_keeps_the_text_and_blames_the_comment(app, client, learner):
    comment = "Useful, thank you. " * 550  # 10,450 characters
    response = client.post(f"/pilot/modules/{MODULE}/feedback",
                           data={"usefulness": "4", "clarity": "5", "comment": comment, "send": "Send feedback"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This is 10450 characters long; the limit is 2000. Shorten it, then send it again." in page
    assert "your comment is too long" in page and "choose a rating for both questions" not in page
    assert "Field cannot be longer" not in page and comment.strip() in page  # nothing typed is lost
    assert _feedback(app, learner[0]) is None


def test_line_breaks_count_once_as_the_browsers_maxlength_counts_them(app, client, learner):
    comment = "\r\n".join(["x" * 39] * 50)  # 1,999 characters in the textarea; the browser sends 2,048 (CRLF)
    response = client.post(f"/pilot/modules/{MODULE}/feedback",
                           data={"usefulness": "4", "clarity": "5", "comment": comment, "send": "Send feedback"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _feedback(app, learner[0]).comment == comment.replace("\r\n", "\n")


@pytest.mark.parametrize("value", ["0", "6", "x"])
def test_ratings_outside_one_to_five_are_refused(app, client, learner, value):
    response = client.post(
        f"/pilot/modules/{MODULE}/feedback", data={"usefulness": value, "clarity": "3", "send": "Send"}
    )
    assert response.status_code == 400
    assert _feedback(app, learner[0]) is None


def test_skip_is_remembered(app, client, learner):
    response = client.post(f"/pilot/modules/{MODULE}/feedback", data={"skip": "Skip"})
    assert response.status_code == 302
    row = _feedback(app, learner[0])
    assert row.skipped and row.usefulness is None
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    assert "You skipped the feedback for this module." in page
    assert "How was this module?" not in page
    # Changing their mind later still works.
    client.post(f"/pilot/modules/{MODULE}/feedback", data={"usefulness": "5", "clarity": "5", "send": "Send"})
    row = _feedback(app, learner[0])
    assert (row.skipped, row.usefulness) == (False, 5)


def test_skip_does_not_erase_a_rating(app, client, learner):
    client.post(f"/pilot/modules/{MODULE}/feedback", data={"usefulness": "3", "clarity": "3", "send": "Send"})
    client.post(f"/pilot/modules/{MODULE}/feedback", data={"skip": "Skip"})
    row = _feedback(app, learner[0])
    assert (row.skipped, row.usefulness, row.clarity) == (False, 3, 3)


def test_unknown_module_is_404(client, learner):
    assert client.post("/pilot/modules/no-such-module/feedback", data={"skip": "Skip"}).status_code == 404


def test_trainers_do_not_give_learner_feedback(factory, client, auth):
    trainer = factory.user("trainer")
    auth.login(factory.email(trainer))
    assert "How was this module?" not in client.get(f"/modules/{MODULE}").get_data(as_text=True)
    assert client.post(f"/pilot/modules/{MODULE}/feedback", data={"skip": "Skip"}).status_code == 403
    assert client.get("/pilot/evaluation").status_code == 403


def _evaluation_form(before=2, after=4, **extra):
    data = {f"before_{n}": str(before) for n in range(1, 11)}
    data.update({f"after_{n}": str(after) for n in range(1, 11)})
    data.update({"usefulness": "5", "recommend": "yes", "keep": "The practice cases", "change": "=HYPERLINK(1)"})
    data.update(extra)
    return data


def test_evaluation_is_saved_and_can_be_changed(app, client, learner):
    user_id, cohort_id = learner
    page = client.get("/pilot/evaluation").get_data(as_text=True)
    assert page.count('type="radio"') == 10 * 2 * 5 + 5 + 3
    response = client.post("/pilot/evaluation", data=_evaluation_form())
    assert response.status_code == 302
    client.post("/pilot/evaluation", data=_evaluation_form(before=1, after=5, recommend="maybe"))
    with app.app_context():
        rows = db.session.scalars(select(CourseEvaluation).where(CourseEvaluation.user_id == user_id)).all()
        assert len(rows) == 1
        row = rows[0]
        assert row.cohort_id == cohort_id and row.recommend == "maybe"
        assert row.confidence["7"] == {"before": 1, "after": 5}
        assert row.keep == "The practice cases"
    page = client.get("/pilot/evaluation").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="maybe"', page)


def test_evaluation_names_each_missing_answer(app, client, learner):
    data = _evaluation_form()
    del data["after_3"], data["recommend"]
    response = client.post("/pilot/evaluation", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Objective 3: choose your confidence now." in page
    assert "Say whether you would recommend the course." in page
    assert 'href="#after_3-0"' in page
    with app.app_context():
        assert db.session.scalar(select(CourseEvaluation)) is None
