"""The trainer's kit: who may open it, what each page holds, and the kit data checks (file:line)."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from course.content_check import run_checks
from course.kit import data
from course.kit.services import FACTS_PER_PAGE, expected_pages, families
from tests.conftest import AuthActions, Factory, make_app

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "data" / "kit"


def kit_content(tmp_path: Path) -> Path:
    """Copy the course content and put the fixture kit files where the app looks for them."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    (content / "kit").mkdir(exist_ok=True)
    for name in ("facilitation.yaml", "role-plays.yaml"):
        shutil.copy(FIXTURES / name, content / "kit" / name)
    shutil.copy(FIXTURES / "agenda.yaml", content / "agenda.yaml")
    return content


@pytest.fixture
def kit_app(tmp_path):
    return make_app(tmp_path, CONTENT_DIR=str(kit_content(tmp_path)))


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


def test_facilitation_guide_has_timing_setup_materials_debrief_and_misconceptions(trainer_client):
    page = trainer_client.get("/kit/facilitation/mapping").get_data(as_text=True)
    for text in ("Timing", "Set-up", "Materials", "Debrief questions", "Common misconceptions",
                 "Tables place the Hill family fact cards", "Marcus&#39;s drinking is the danger.",
                 "75</th><td>minutes in all (the module has 75)"):
        assert text in page, text
    empty = trainer_client.get("/kit/facilitation/welcome").get_data(as_text=True)
    assert "No facilitation guide for this yet" in empty and "content/kit/facilitation.yaml" in empty
    assert trainer_client.get("/kit/facilitation/no-such-module").status_code == 404


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
    for column in ("What are we worried about?", "What’s working well?", "What needs to happen?", "Grey area", "Complicating factors"):
        assert column in mapping
    assert "diagram--safety-scale" in mapping
    sheet = trainer_client.get("/kit/templates/statements").get_data(as_text=True)
    for label in ("What the caregiver did", "Impact on the child", "Trigger or situation", "For how long",
                  "What the child will experience"):
        assert label in sheet
    assert "{child}" not in sheet and "the child" in sheet


def test_agenda_has_clock_times_breaks_and_lunch(trainer_client):
    page = trainer_client.get("/kit/agenda").get_data(as_text=True)
    assert "Day 1: 09:00–15:10" in page and "Day 2: 09:00–15:30" in page
    assert "<strong>Lunch</strong>" in page and page.count("<strong>Break</strong>") == 4
    assert "Before day 1, self-paced" in page and "Before You Begin" in page


def test_expected_pages_follow_from_the_data(kit_app):
    with kit_app.app_context():
        pages = expected_pages()
        fact_pages = sum(math.ceil(len(v.mapping_facts) / FACTS_PER_PAGE) for v in families())
        assert pages == {"cover": 1, "facilitation guides": 2, "templates": 5, "role plays": 2, "fact cards": fact_pages,
                         "answer keys": 2 * len(families()), "agenda": 2}


def test_empty_kit_says_what_to_add(tmp_path):
    app = make_app(tmp_path)  # the course content as shipped on this branch (no kit files yet, or the real ones)
    factory = Factory(app)
    client = app.test_client()
    AuthActions(client).login(factory.email(factory.user("trainer")))
    assert client.get("/kit/").status_code == 200
    assert client.get("/kit/print").status_code == 200


def test_fixture_kit_passes_the_content_check(kit_app):
    results = run_checks(kit_app.config)
    assert results["kit"] == [], [str(p) for p in results["kit"]]


@pytest.mark.parametrize("file, find, replace, line, message", [
    ("kit/facilitation.yaml", "- module: harm-statements", "- module: no-such-module", 31, "no module has the id 'no-such-module'"),
    ("kit/facilitation.yaml", "      activity: Debrief and the knowledge check.", "      activity: ''", 20, "missing text field 'activity'"),
    ("kit/facilitation.yaml", "    - minutes: 15\n      activity: Gallery", "    - minutes: 50\n      activity: Gallery", 2,
     "the timing adds up to 110 minutes, but 'mapping' has 75"),
    ("kit/facilitation.yaml", "  misconceptions:\n    - belief: Marcus", "  misconceptions: []\n  old:\n    - belief: Marcus", 25, "'misconceptions' must be a list"),
    ("kit/role-plays.yaml", "  family: nguyen-family", "  family: smith-family", 23, "no family has the id 'smith-family'"),
    ("kit/role-plays.yaml", "  minutes: 15", "  minutes: soon", 26, "'minutes' must be a whole number"),
    ("agenda.yaml", "      - break: 15\n      - module: icpm", "      - nap: 15\n      - module: icpm", 9, "each agenda item is one of"),
    ("agenda.yaml", "      - module: icpm", "      - module: welcome", 10, "'welcome' is already on the agenda"),
    ("agenda.yaml", "      - module: three-questions", "      - module: three-questions\n      - module: trauma-informed", 3,
     "day 1 runs to 15:55, past its end at 15:30"),
    ("agenda.yaml", 'start: "09:00"\n    end: "15:30"\n    items:\n      - module: welcome', 'start: "9am"\n    end: "15:30"\n    items:\n      - module: welcome', 4,
     "'start' must be a 24-hour time"),
])
def test_content_check_names_each_kit_problem_at_its_line(kit_app, file, find, replace, line, message):
    path = Path(kit_app.config["CONTENT_DIR"], file)
    text = path.read_text()
    assert find in text, f"fixture changed: {find!r} not in {file}"
    path.write_text(text.replace(find, replace, 1))
    problems = run_checks(kit_app.config)["kit"]
    assert any(message in p.message and p.path.endswith(file) and p.line == line for p in problems), [str(p) for p in problems]


def test_loader_reads_the_fixture_files():
    guides = data.load_guides(FIXTURES / "facilitation.yaml")
    plays = data.load_role_plays(FIXTURES / "role-plays.yaml")
    agenda = data.load_agenda(FIXTURES / "agenda.yaml")
    assert not guides.problems and not plays.problems and not agenda.problems
    assert [g.module for g in guides.entries] == ["mapping", "harm-statements"]
    assert [len(p.roles) for p in plays.entries] == [2, 3]
    assert [(d.day, d.start, len(d.items)) for d in agenda.entries] == [(1, "09:00", 9), (2, "09:00", 9)]


def test_a_file_that_is_not_a_list_is_one_problem(tmp_path):
    path = tmp_path / "facilitation.yaml"
    path.write_text("module: mapping\n")
    loaded = data.load_guides(path)
    assert not loaded.entries and "must be a list" in loaded.problems[0].message
