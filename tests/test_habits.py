"""My writing habits: problems counted per draft from real checks, drills picked for them with the reason,
mastery retiring a drill, and first-against-latest growth per kind, hand-calculated."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from course.drills.habits import Draft, drafts_of, growth_from, habits_from, mastered, practice_picks
from course.drills.loader import Drill
from course.extensions import db
from course.models.work import DrillAttempt
from course.models.xapi import XapiStatement
from grader.vocabulary import category_label

ABUSED = "On Saturday night Marcus abused Jayden (7), leaving four bruises on his arm."
GRABBED = "On Saturday night Marcus grabbed Jayden (7) by the arm, leaving four bruises."
NEGLECTED = "Last week Linh neglected Bao (9) and An (5), who went hungry for three days."
IN_BED = "Last week Linh stayed in bed for three days and Bao (9) and An (5) went hungry."
RUIZ_1 = "On Friday night Ana neglected Mia (4) and Leo (2); Leo cried in a wet diaper for hours."
RUIZ_2 = "On Friday night Ana neglected Mia (4) and Leo (2), and Leo cried in a wet diaper for hours."
DANGER = ("Dana Ortiz and Keisha Brown are worried that when Marcus drinks on Saturday nights he may grab Jayden (7) "
          "and throw him against a wall, and Jayden could get a head injury.")


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


def _check(client, path: str, *texts: str) -> None:
    """Check each text in turn on a statement page, as the page's script does."""
    revision = 0
    for text in texts:
        response = client.post(f"/exercises/{path}/check", json={"text": text, "revision": revision})
        assert response.status_code == 200, response.get_data(as_text=True)
        revision = response.get_json()["revision"]


@pytest.fixture
def history(client, learner, nlp):
    """Four drafts: three harm statements that began with a label (two fixed), and one danger statement."""
    _check(client, "hill-family/write/harm/1", ABUSED, GRABBED)
    _check(client, "nguyen-family/write/harm/1", NEGLECTED, IN_BED)
    _check(client, "ruiz-family/write/harm/1", RUIZ_1, RUIZ_2)  # checked twice, still one draft
    _check(client, "hill-family/write/danger/1", DANGER)
    return learner


def test_habits_count_drafts_not_checks(app, history):
    with app.app_context():
        habits = habits_from(drafts_of(history))
    assert [(h.key, h.drafts, h.of, h.fixed) for h in habits] == [("vague_label", 3, 4, 2)]
    assert set(habits[0].examples) == {"abused", "neglected"}  # the learner's own words only
    label = category_label("vague_label").lower()
    assert habits[0].reason == f"3 of your last 4 drafts had “{label}” at the first check"


def test_practise_offers_drills_for_exactly_the_recurring_problem_with_the_reason(client, app, history):
    page = client.get("/drills/habits").get_data(as_text=True)
    with app.app_context():
        from course.drills.services import library

        drills = library().all()
        picks = practice_picks(habits_from(drafts_of(history)), drills, {})
    assert [p.drill.id for p in picks] == ["drill-harm-neglect-1", "drill-harm-abuse-1"]
    assert all(p.habit.key == "vague_label" and "vague_label" in p.drill.targets for p in picks)
    assert "Because 3 of your last 4 drafts had “label instead of behaviour” at the first check." in page
    assert 'href="/drills/drill-harm-neglect-1?practice=1"' in page
    assert 'href="/drills/drill-harm-abuse-1?practice=1"' in page
    assert "<q>abused</q>" in page and "fixed by your latest check in 2" in page
    # a problem seen in one draft only (the danger statement's readability warning) is not a habit
    assert category_label("readability") not in page


def test_two_ready_rewrites_in_a_row_retire_a_drill(client, app, history):
    with app.app_context():
        from course.drills.services import library

        model = next(d for d in library().all() if d.id == "drill-harm-neglect-1").model_answer
    for _ in range(2):
        response = client.post("/drills/drill-harm-neglect-1?practice=1", data={"text": model})
        assert response.status_code == 200
    page = client.get("/drills/habits").get_data(as_text=True)
    assert "/drills/drill-harm-neglect-1?" not in page
    offered = [d for d in ("drill-harm-abuse-1", "drill-harm-mh-1") if f'href="/drills/{d}?practice=1"' in page]
    assert offered == ["drill-harm-abuse-1", "drill-harm-mh-1"]
    with app.app_context():  # each graded rewrite went out as xAPI 'attempted', marked as habit practice
        rows = db.session.scalars(select(XapiStatement).where(XapiStatement.verb == "attempted")).all()
        assert [r.statement["result"]["success"] for r in rows] == [True, True]
        assert all(list(r.statement["result"]["extensions"].values()) == [True] for r in rows)
    assert "Mastered: ready twice in a row" in client.get("/drills/").get_data(as_text=True)


@pytest.mark.parametrize("verdicts, retired", [
    (["ready", "ready"], True),
    (["ready", "ready", "revise"], True),  # newest first: the last two were ready
    (["ready", "revise", "ready"], False),
    (["ready"], False),
    (["ready", None, "ready"], True),  # a rewrite saved but never graded does not break the streak
    ([], False),
])
def test_mastery_is_two_consecutive_ready_rewrites(verdicts, retired):
    attempts = [DrillAttempt(drill_id="d", user_id=1, text="t", verdict=v) for v in verdicts]
    assert mastered(attempts) is retired


def test_growth_per_kind_matches_the_hand_calculation(app, history):
    with app.app_context():
        rows = {row.kind: row for row in growth_from(drafts_of(history))}
    harm, danger = rows["harm"], rows["danger"]
    # harm: 3 drafts, 6 checks; 4 parts each, 11 of 12 present first and last (the Ruiz draft lacks the act);
    # one blocking label per draft at first, one left (Ruiz); ready 0 of 3 first, 2 of 3 last.
    assert (harm.drafts, harm.checks, harm.parts_first, harm.parts_latest, harm.parts_total) == (3, 6, 11, 11, 12)
    assert (harm.blocking_first, harm.blocking_latest, harm.ready_first, harm.ready_latest) == (3, 1, 0, 2)
    assert (harm.per_draft(harm.checks), harm.per_draft(harm.blocking_latest)) == (2.0, 0.3)
    # danger: one draft, checked once, all 5 parts and ready (a readability warning does not block)
    assert (danger.drafts, danger.parts_first, danger.parts_total, danger.ready_latest) == (1, 5, 5, 1)


def test_the_page_shows_growth_and_is_private(client, auth, factory, history):
    page = client.get("/drills/habits").get_data(as_text=True)
    assert "11 → 11 of 12" in page and "0 → 2 of 3" in page and "1.0 → 0.3" in page
    other = factory.user("learner")
    auth.logout()
    auth.login(factory.email(other))
    theirs = client.get("/drills/habits").get_data(as_text=True)
    assert "You have not checked a draft yet" in theirs and "abused" not in theirs


def test_one_checked_draft_reads_as_one_draft_not_last_1_drafts(client, learner, nlp):
    _check(client, "hill-family/write/harm/1", ABUSED)
    page = client.get("/drills/habits").get_data(as_text=True)
    assert "What recurs in your one draft so far" in page and "last 1 drafts" not in page


def test_habits_need_sign_in(client):
    assert client.get("/drills/habits").status_code == 302


def test_a_habit_no_drill_trains_is_shown_but_offers_nothing():
    summary = {"categories": {"privacy": 1}, "components": {"present": [], "missing": []}, "verdict": "revise"}
    drafts = [Draft(i, "plain_language", summary, summary, 1, None, None) for i in range(2)]
    habits = habits_from(drafts)
    drill = Drill("d", "plain_language", "p", "jargon", "h", "m")
    assert [h.key for h in habits] == ["privacy"] and practice_picks(habits, [drill], {}) == []


def test_trainers_see_a_learners_habits_only_for_their_cohort_and_under_a_pseudonym(app, client, auth, factory, nlp):
    from course.models import Cohort

    trainer, other = factory.user("trainer"), factory.user("trainer")
    cohort = factory.cohort("Pilot Quiet", trainer_id=trainer)
    with app.app_context():
        db.session.get(Cohort, cohort).anonymous_review = True
        db.session.commit()
    learner = factory.user("learner", cohort_id=cohort, name="Rosa Diaz")
    auth.login(factory.email(learner))
    _check(client, "hill-family/write/harm/1", ABUSED)
    _check(client, "nguyen-family/write/harm/1", NEGLECTED)
    url = f"/drills/cohorts/{cohort}/learners/{learner}/habits"
    assert client.get(url).status_code in (302, 403, 404)  # the learner has their own page, not this one
    auth.logout()
    auth.login(factory.email(trainer))
    page = client.get(url).get_data(as_text=True)
    assert "Writing habits: Learner 1" in page and "Rosa" not in page
    assert "Because 2 of their last 2 drafts had" in page and "<q>abused</q>" in page
    # the trainer reads about the learner, never "your" drafts or words
    assert "What recurs in their last 2 drafts" in page and "Their words:" in page
    assert "your recent drafts" not in page and "Your words" not in page
    assert f'href="{url}"' in client.get(f"/cohorts/{cohort}").get_data(as_text=True)
    auth.logout()
    auth.login(factory.email(other))
    assert client.get(url).status_code == 404
    stranger = factory.user("learner")
    auth.logout()
    auth.login(factory.email(trainer))
    assert client.get(f"/drills/cohorts/{cohort}/learners/{stranger}/habits").status_code == 404
