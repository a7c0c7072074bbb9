"""The objectives page: each objective's modules, exercises and quiz items, and the learner's own status."""
from __future__ import annotations

import re

import pytest

from course.extensions import db
from course.models import MappingAttempt, User, Work, WorkStatus
from course.objectives.services import OBJECTIVES, coverage
from course.quizzes.loader import get_quiz
from course.quizzes.services import record_attempt
from course.vignettes import all_vignettes
from tests.test_pilot_support import pass_check


@pytest.fixture
def learner(factory, auth):
    user_id = factory.user()
    auth.login(factory.email(user_id))
    return user_id


def _section(html: str, number: int) -> str:
    """Return one objective's section of the page."""
    return re.search(rf'<section class="objective card" id="objective-{number}".*?</section>', html, re.S).group(0)


def test_page_lists_all_ten_objectives_with_modules_and_checks(client, learner, app):
    html = client.get("/objectives").get_data(as_text=True)
    assert len(re.findall(r'<section class="objective card"', html)) == 10
    with app.app_context():
        items = coverage()
    for item in items:
        section = _section(html, item.number)
        assert OBJECTIVES[item.number][1].replace("'", "&#39;") in section
        for module in item.modules:
            assert f'href="/modules/{module.id}"' in section
    assert 'href="/exercises/hill-family/mapping"' in _section(html, 8)
    assert 'href="/exercises/okafor-family"' in _section(html, 9)
    assert "Solution-focused questions: " in _section(html, 10)
    assert "Not started" in html


def test_objectives_paraphrase_the_primer_in_our_own_words():
    primer_phrases = ["Endorse SOP as a practical strategy", "Recognize the parts of a rigorous, balanced assessment",
                      "Apply critical thinking, SOP terms and behaviorally specific language"]
    text = " ".join(t for _, t in OBJECTIVES.values())
    assert sorted(OBJECTIVES) == list(range(1, 11))
    assert not any(phrase in text for phrase in primer_phrases)


def test_status_follows_modules_quiz_items_and_exercises(client, learner, app):
    with app.app_context():
        user = db.session.get(User, learner)
        pass_check(user.id, "mapping")  # the mapping module counts once its check is passed
        quiz = get_quiz("mapping")
        sort = quiz.items_by_id["map-1"]  # the map sort checks objectives 3, 4 and 8
        record_attempt(user, quiz, "module", {"map-1": [entry.column for entry in sort.entries]})
        db.session.add(MappingAttempt(user_id=user.id, vignette_id="hill-family", placements={}, correct=11, total=14))
        for kind in ("harm", "danger", "safety_goal"):
            db.session.add(Work(user_id=user.id, vignette_id="hill-family", kind=kind, draft_text="Text.",
                                status=WorkStatus.SUBMITTED.value))
        db.session.add(Work(user_id=user.id, vignette_id="ruiz-family", kind="sf_question", draft_text="What helped?"))
        db.session.commit()
        items = {c.number: c for c in coverage(user)}
        families = len(all_vignettes())
    assert items[8].modules_done == 1 and items[8].exercises_done == 1
    assert items[4].items_right == 1, "map-1 checks objectives 3, 4 and 8"
    hill9 = next(e for e in items[9].exercises if "/hill-family" in e.url)
    assert hill9.status == "done" and hill9.detail == "submitted for review"
    ruiz10 = next(e for e in items[10].exercises if "/ruiz-family" in e.url)
    assert ruiz10.status == "started"
    assert items[8].status == "started" and items[1].status == "started"
    html = client.get("/objectives").get_data(as_text=True)
    section = _section(html, 8)
    assert f"Exercises 1 of {families} done" in section and "best 11 of 14 facts placed" in section


def test_danger_only_vignette_needs_no_harm_statement(app, factory):
    user_id = factory.user()
    with app.app_context():
        for kind in ("danger", "safety_goal"):
            db.session.add(Work(user_id=user_id, vignette_id="okafor-family", kind=kind, draft_text="Text.",
                                status=WorkStatus.ACCEPTED.value))
        db.session.commit()
        items = {c.number: c for c in coverage(db.session.get(User, user_id))}
    okafor = next(e for e in items[9].exercises if e.url.endswith("/okafor-family"))
    assert (okafor.status, okafor.detail) == ("done", "accepted")
    assert okafor.label.startswith("Danger statements and safety goals")


def test_objectives_need_sign_in(client):
    response = client.get("/objectives")
    assert response.status_code == 302 and response.location == "/auth/login?next=%2Fobjectives"


def test_objective_5_is_taught_practised_and_assessed_on_networks(app, client, learner):
    from course.curriculum.services import get_module

    with app.app_context():
        items = {c.number: c for c in coverage()}
        module = get_module("safety-networks")
    five = items[5]
    assert "safety-networks" in [m.id for m in five.modules]
    networks = next((q for q in five.quizzes if q.quiz_id == "safety-networks"), None)
    assert networks is not None and len(networks.item_ids) >= 6, "the networks check assesses objective 5"
    # Practised: the module sends learners to the online network exercise for a family.
    assert re.search(r"\(/exercises/[a-z-]+-family/network\)", module.body)
    section = _section(client.get("/objectives").get_data(as_text=True), 5)
    assert 'href="/modules/safety-networks"' in section and "Safety Networks and Safety Plans check" in section
