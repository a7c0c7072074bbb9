"""The trainer's kit: who may open it and what each page holds, from the course's own kit data
(content/kit/*.yaml and content/agenda.yaml, validated by course.curriculum's loaders)."""
from __future__ import annotations

import math

import pytest

from course.curriculum.kit import kit
from course.curriculum.services import course_agenda, get_module
from course.kit.services import FACTS_PER_PAGE, TEMPLATES, expected_pages, families, role_plays
from tests.conftest import AuthActions, Factory


@pytest.fixture
def kit_app(app):
    return app


@pytest.fixture
def trainer_client(kit_app):
    factory = Factory(kit_app)
    client = kit_app.test_client()
    AuthActions(client).login(factory.email(factory.user("trainer")))
    return client


@pytest.mark.parametrize("role, status", [("learner", 403), ("trainer", 200), ("admin", 200)])
def test_only_trainers_and_admins_open_the_kit(kit_app, role, status):
    factory = Factory(kit_app)
    client = kit_app.test_client()
    AuthActions(client).login(factory.email(factory.user(role)))
    for url in ("/kit/", "/kit/print", "/kit/templates/mapping", "/kit/fact-cards/hill-family"):
        assert client.get(url).status_code == status, url
    assert kit_app.test_client().get("/kit/print").status_code == 302  # signed out: to the sign-in page


def test_kit_link_shows_for_trainers_only(kit_app, trainer_client):
    assert 'href="/kit/"' in trainer_client.get("/").get_data(as_text=True)
    factory = Factory(kit_app)
    learner = kit_app.test_client()
    AuthActions(learner).login(factory.email(factory.user("learner")))
    assert 'href="/kit/"' not in learner.get("/").get_data(as_text=True)


def test_facilitation_guide_has_timing_setup_materials_debrief_and_misconceptions(trainer_client, kit_app):
    with kit_app.app_context():
        guide = next(g for g in kit()[0].guides if g.module == "mapping")
        module = get_module("mapping")
    page = trainer_client.get("/kit/facilitation/mapping").get_data(as_text=True)
    for text in ("Timing", "Set-up", "Materials", "Debrief questions", "Common misconceptions", module.title,
                 f"{module.minutes}</th><td>minutes in all (the module has {module.minutes})"):
        assert text in page, text
    assert page.count("<tr><td class=\"kit-num\">") == len(guide.timing)
    assert page.count("<dt>") >= len(guide.misconceptions) and guide.debrief[0].replace("'", "&#39;") in page
    assert trainer_client.get("/kit/facilitation/no-such-module").status_code == 404


def test_role_play_cards_one_card_per_role_with_cut_lines(trainer_client, kit_app):
    with kit_app.app_context():
        cards = role_plays()
    page = trainer_client.get("/kit/role-plays").get_data(as_text=True)
    assert page.count('class="kit-sheet kit-roleplay"') == len(cards) > 0
    assert page.count('<article class="kit-card"') == sum(len(c.roles) for c in cards)
    assert "Cut along the dashed lines" in page and "The worker’s goal." in page


def test_fact_cards_one_card_per_fact_with_cut_lines(trainer_client, kit_app):
    with kit_app.app_context():
        hill = next(v for v in families() if v.id == "hill-family")
    page = trainer_client.get("/kit/fact-cards/hill-family").get_data(as_text=True)
    assert page.count('class="kit-card kit-card--fact"') == len(hill.mapping_facts)
    assert page.count('class="kit-sheet kit-facts"') == math.ceil(len(hill.mapping_facts) / FACTS_PER_PAGE)
    assert hill.mapping_facts[0].text.replace("'", "&#39;") in page
    assert hill.mapping_facts[0].explanation.replace("'", "&#39;") not in page  # cards carry no answers


def test_answer_key_has_columns_explanations_and_model_statements(trainer_client, kit_app):
    with kit_app.app_context():
        hill = next(v for v in families() if v.id == "hill-family")
    page = trainer_client.get("/kit/answer-keys/hill-family").get_data(as_text=True)
    for fact in hill.mapping_facts:
        assert fact.explanation.replace("'", "&#39;").replace('"', "&#34;") in page
    assert "Existing safety" in page and "Safety goal:" in page and "Solution-focused questions" in page
    okafor = trainer_client.get("/kit/answer-keys/okafor-family").get_data(as_text=True)
    assert "No harm statement." in okafor


def test_templates_are_blank_diagrams_and_the_worksheet_prompts_each_part(trainer_client):
    house = trainer_client.get("/kit/templates/safety-house").get_data(as_text=True)
    assert 'class="diagram--blank kit-template__art"' in house and "diagram--safety-house" in house
    mapping = trainer_client.get("/kit/templates/mapping").get_data(as_text=True)
    for column in ("What are we worried about?", "What’s working well?", "What needs to happen?", "Grey area",
                   "Complicating factors"):
        assert column in mapping
    assert "diagram--safety-scale" in mapping
    sheet = trainer_client.get("/kit/templates/statements").get_data(as_text=True)
    for label in ("What the caregiver did", "Impact on the child", "Trigger or situation", "For how long",
                  "What the child will experience"):
        assert label in sheet
    assert "{child}" not in sheet and "the child" in sheet


def test_agenda_has_clock_times_breaks_and_lunch(trainer_client, kit_app):
    with kit_app.app_context():
        agenda, problems = course_agenda()
    assert agenda is not None, problems
    page = trainer_client.get("/kit/agenda").get_data(as_text=True)
    for day in agenda.days:
        assert f"{day.name}: {day.start}–{day.end}" in page
        for slot in day.slots:
            assert f"{slot.starts}–{slot.ends}" in page
    assert page.count("<strong>Lunch</strong>") == len(agenda.days)
    assert "self-paced" in page and agenda.followup[0].title in page


def test_expected_pages_follow_from_the_data(kit_app):
    with kit_app.app_context():
        pages = expected_pages()
        data, _ = kit()
        agenda, _ = course_agenda()
        fact_pages = sum(math.ceil(len(v.mapping_facts) / FACTS_PER_PAGE) for v in families())
        assert pages == {"cover": 1, "facilitation guides": len(data.guides), "templates": len(TEMPLATES),
                         "role plays": len(data.cards), "fact cards": fact_pages,
                         "answer keys": sum(math.ceil(len(v.mapping_facts) / 8) + 1 for v in families()),
                         "agenda": len(agenda.days)}


def test_kit_without_data_files_says_what_to_add(tmp_path):
    import shutil
    from pathlib import Path

    from tests.conftest import make_app

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", content)
    shutil.rmtree(content / "kit")
    (content / "agenda.yaml").unlink()
    app = make_app(tmp_path, CONTENT_DIR=str(content))
    factory = Factory(app)
    client = app.test_client()
    AuthActions(client).login(factory.email(factory.user("trainer")))
    index = client.get("/kit/").get_data(as_text=True)
    assert "No facilitation guides yet" in index and "No agenda yet" in index
    assert "No role plays yet" in client.get("/kit/role-plays").get_data(as_text=True)
    assert client.get("/kit/print").status_code == 200
