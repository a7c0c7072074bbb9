"""Rewrite drills: the shipped file is valid, schema slips name file, line and drill, and the pages grade rewrites."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from course.drills.loader import check_drills, library_for
from course.extensions import db
from course.models.work import DrillAttempt
from grader.vocabulary import CATEGORIES, KINDS, category_label, components

REPO = Path(__file__).resolve().parent.parent
DRILLS = REPO / "drills"
VIGNETTES = REPO / "vignettes"


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


def test_shipped_drills_are_valid():
    assert check_drills(DRILLS, VIGNETTES) == []
    drills = library_for(DRILLS, VIGNETTES).all()
    assert len(drills) >= 20
    assert len({d.id for d in drills}) == len(drills)
    assert {d.kind for d in drills} == set(KINDS)
    # every focus is one of the grader's finding categories or a component of the drill's kind
    assert all(d.focus in CATEGORIES or d.focus in {c.id for c in components(d.kind)} for d in drills)


GOOD = """- id: drill-ok-1
  kind: harm
  vignette: hill-family
  prompt: "Father abused the child."
  focus: vague_label
  hint: Say what Marcus did.
  model_answer: "On Saturday Marcus grabbed Jayden (7) by the arm, leaving bruises."
"""


@pytest.mark.parametrize("replace, add, words, line_text", [
    ("kind: harm", "kind: harmful", ["drill 'drill-ok-1'", "kind must be one of"], "kind: harmful"),
    ("vignette: hill-family", "vignette: nobody-family", ["drill 'drill-ok-1'", "'nobody-family' is not a vignette"],
     "vignette: nobody-family"),
    ("focus: vague_label", "focus: vagueness", ["drill 'drill-ok-1'", "focus must be a finding category"],
     "focus: vagueness"),
    ('  model_answer: "On Saturday Marcus grabbed Jayden (7) by the arm, leaving bruises."\n',
     "", ["drill 'drill-ok-1'", "missing 'model_answer'"], "- id: drill-ok-1"),
    ("  hint: Say what Marcus did.\n", "  hint: Say what Marcus did.\n  level: 2\n",
     ["unknown field 'level'"], "level: 2"),
])
def test_drill_schema_errors_name_file_line_and_entry(tmp_path, replace, add, words, line_text):
    text = GOOD.replace(replace, add, 1)
    path = tmp_path / "drills.yaml"
    path.write_text(text, encoding="utf-8")
    problems = check_drills(tmp_path, VIGNETTES)
    matching = [p for p in problems if all(w in p.message for w in words)]
    assert matching, [str(p) for p in problems]
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if line_text in line)
    assert matching[0].line == expected_line
    assert Path(matching[0].path).resolve() == path.resolve()


def test_duplicate_drill_ids_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# more\n" + GOOD, encoding="utf-8")
    problems = check_drills(tmp_path, VIGNETTES)
    assert len(problems) == 1
    assert problems[0].path.endswith("b.yaml") and problems[0].line == 2
    assert "already used at" in problems[0].message and "a.yaml:1" in problems[0].message


def test_a_drills_file_must_be_a_list(tmp_path):
    (tmp_path / "drills.yaml").write_text("id: drill-1\nkind: harm\n", encoding="utf-8")
    problems = check_drills(tmp_path, VIGNETTES)
    assert problems and "must be a list" in problems[0].message and problems[0].line == 1


def test_every_prompt_needs_rewriting_and_every_model_answer_is_ready(app, nlp):
    """Each tag a drill trains holds: the prompt shows the category (or lacks the component), the answer does not."""
    from course.grading import grade
    from course.vignettes import get_vignette

    with app.app_context():
        drills = library_for(DRILLS, VIGNETTES).all()
        graded = [(drill, *(grade(drill.kind, text, vignette=get_vignette(drill.vignette or ""),
                                  child_age=drill.child_age) for text in (drill.prompt, drill.model_answer)))
                  for drill in drills]
    for drill, prompt, answer in graded:
        assert prompt["verdict"] == "revise", f"{drill.id}: the prompt already passes the grader"
        missing = [c["id"] for c in answer["components"] if not c["present"]]
        errors = [f["text"] for f in answer["findings"] if f["severity"] == "error"]
        assert answer["verdict"] == "ready", f"{drill.id}: model answer not ready (missing {missing}, errors {errors})"
        shown = {f["category"] for f in prompt["findings"]}
        lacking = {c["id"] for c in prompt["components"] if not c["present"]}
        for tag in dict.fromkeys((drill.focus, *drill.trains)):
            if tag in CATEGORIES:
                assert tag in shown, f"{drill.id}: trains {tag} but the grader finds none in the prompt"
            else:
                assert tag in lacking, f"{drill.id}: trains {tag} but the prompt already has it"


def test_the_bank_has_three_drills_for_each_kind_and_each_common_problem():
    drills = library_for(DRILLS, VIGNETTES).all()
    per_kind = Counter(d.kind for d in drills)
    assert {kind: per_kind[kind] for kind in KINDS if per_kind[kind] < 3} == {}
    per_target = Counter(key for d in drills for key in d.targets)
    common = ["vague_label", "jargon", "judgmental", "passive_voice", "negative_framing", "service_compliance",
              "closed_question", "why_question", "leading_question", "harm:caregiver_action", "harm:impact",
              "harm:when", "danger:worried_who", "danger:caregiver_behavior", "danger:context",
              "safety_goal:duration", "safety_goal:child_experience", "child_questions:opening"]
    assert {key: per_target[key] for key in common if per_target[key] < 3} == {}


@pytest.mark.parametrize("tags, message", [
    ("[impact, worried_who]", "trains 'worried_who' is neither a finding category"),
    ("vague_label", "trains must be a list"),
    ("[jargon, jargon]", "trains lists a tag twice"),
])
def test_trains_tags_are_checked(tmp_path, tags, message):
    tagged = GOOD.replace("  focus: vague_label\n", f"  focus: vague_label\n  trains: {tags}\n")
    (tmp_path / "d.yaml").write_text(tagged)
    problems = check_drills(tmp_path, VIGNETTES)
    assert problems and message in problems[0].message and problems[0].path.endswith("d.yaml")


# ---------------------------------------------------------------- pages

@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


def test_drills_need_sign_in(client):
    response = client.get("/drills/")
    assert response.status_code == 302 and response.location == "/auth/login?next=%2Fdrills%2F"


def test_drill_list_shows_every_drill(client, learner, app):
    page = client.get("/drills/").get_data(as_text=True)
    with app.app_context():
        from course.drills.services import library

        for drill in library().all():
            assert f'/drills/{drill.id}"' in page
    assert "Not tried" in page


def test_unknown_drill_is_404(client, learner):
    assert client.get("/drills/no-such-drill").status_code == 404


def test_model_answer_shows_only_after_an_attempt(client, learner, app, nlp):
    first = client.get("/drills/drill-harm-neglect-1").get_data(as_text=True)
    assert "One way to write it" not in first
    response = client.post("/drills/drill-harm-neglect-1", data={"text": "Ana neglected the kids."})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "One way to write it" in page
    assert category_label("vague_label") in page and "⚑" in page  # the vocabulary's label, as everywhere
    assert 'aria-live="polite">' in page and "wording issue" in page
    with app.app_context():
        attempts = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == learner)).all()
        assert [a.drill_id for a in attempts] == ["drill-harm-neglect-1"]
        assert attempts[0].verdict == "revise"
    listing = client.get("/drills/").get_data(as_text=True)
    assert "Tried (1 try)" in listing


def test_empty_rewrite_is_refused_with_the_error_tied_to_the_field(client, learner):
    response = client.post("/drills/drill-harm-neglect-1", data={"text": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="text-error"' in page and 'aria-describedby="text-hint text-error"' in page
    assert "One way to write it" not in page


def test_exercise_pages_link_to_drills(client, learner):
    assert "/drills/" in client.get("/exercises/hill-family").get_data(as_text=True)
    assert "/drills/" in client.get("/exercises/hill-family/write/harm/1").get_data(as_text=True)
