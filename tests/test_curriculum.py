"""Module loading, validation with line numbers, rendering, sanitising, progress and resume."""
from pathlib import Path

import pytest

from course.curriculum.loader import ContentError, ModuleLibrary, parse_module
from course.curriculum.render import render_markdown, split_sections, strip_trainer_notes
from tests.conftest import make_app

GOOD = """\
---
id: {id}
title: {title}
day: {day}
order: {order}
minutes: 30
objectives: [2, 4]
summary: A short summary.
---

# {title}

Intro text.

## First part

Some **words**.

!!! key-term "Harm"
    What a caregiver did or did not do that hurt a child.

!!! trainer-note "Timing"
    Spend ten minutes here. SECRET-TRAINER-TEXT

## Second part

| A | B |
|---|---|
| 1 | 2 |
"""


def write_module(folder: Path, name: str, **fields) -> Path:
    values = {"id": "sample", "title": "Sample", "day": 1, "order": 1}
    values.update(fields)
    path = folder / name
    path.write_text(GOOD.format(**values), encoding="utf-8")
    return path


def test_parse_good_module(tmp_path):
    module = parse_module(write_module(tmp_path, "01-sample.md"))
    assert module.id == "sample" and module.day == 1 and module.objectives == [2, 4]
    assert module.body.lstrip().startswith("# Sample")
    assert module.body_line == 10


@pytest.mark.parametrize(
    "front, line, message",
    [
        ("id: Bad Id\ntitle: T\nday: 1\norder: 1\nminutes: 5\nobjectives: [1]\nsummary: s\n",
         2, "id must be lower-case"),
        ("id: ok\ntitle: T\nday: 3\norder: 1\nminutes: 5\nobjectives: [1]\nsummary: s\n", 4, "day must be 1 or 2"),
        ("id: ok\ntitle: T\nday: 1\norder: 1\nminutes: five\nobjectives: [1]\nsummary: s\n",
         6, "minutes must be a whole number"),
        ("id: ok\ntitle: T\nday: 1\norder: 1\nminutes: 5\nobjectives: [0, 11]\nsummary: s\n",
         7, "objectives must be numbers 1-10"),
        ("id: ok\ntitle: T\nday: 1\norder: 1\nminutes: 5\nobjectives: []\nsummary: s\n", 7, "non-empty list"),
        ("id: ok\nday: 1\norder: 1\nminutes: 5\nobjectives: [1]\nsummary: s\n", 2, "missing required field 'title'"),
        ("id: ok\ntitle: T\nday: 1\norder: 1\nminutes: 5\nobjectives: [1]\nsummary: s\ncolour: red\n",
         9, "unknown field 'colour'"),
        ("id: ok\ntitle: [unclosed\n", 3, "not valid YAML"),
        ("- just\n- a list\n", 2, "must be a mapping"),
    ],
)
def test_front_matter_errors_name_the_line(tmp_path, front, line, message):
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front}---\n\nBody\n", encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        parse_module(path)
    problems = excinfo.value.problems
    assert any(message in p.message for p in problems), problems
    hit = next(p for p in problems if message in p.message)
    assert hit.line == line, f"{hit} should be on line {line}"
    assert str(hit).startswith(f"{hit.path}:{line}: ")


@pytest.mark.parametrize(
    "text, message",
    [("No front matter\n", "missing front matter"), ("---\nid: x\n", "front matter is not closed")],
)
def test_front_matter_fences(tmp_path, text, message):
    path = tmp_path / "m.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        parse_module(path)


def test_library_orders_reports_duplicates_and_reloads(tmp_path):
    folder = tmp_path / "modules"
    folder.mkdir()
    write_module(folder, "02-b.md", id="b", title="B", day=2, order=1)
    write_module(folder, "01-a.md", id="a", title="A", day=1, order=2)
    write_module(folder, "03-dup.md", id="a", title="Dup", day=1, order=3)
    library = ModuleLibrary(folder)
    assert [m.id for m in library.all()] == ["a", "a", "b"]
    assert any("already used" in p.message for p in library.problems())
    (folder / "03-dup.md").unlink()
    assert [m.id for m in library.all()] == ["a", "b"]
    assert library.problems() == []
    before, after = library.neighbours("a")
    assert before is None and after.id == "b"


def test_render_sanitizes_script_and_handlers():
    html = render_markdown('Hello <script>alert("x")</script> <img src="x" onerror="alert(1)"> '
                           '[link](javascript:alert(2))')
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_render_callouts_tables_and_anchors():
    body = GOOD.format(id="s", title="S", day=1, order=1).split("---", 2)[2]
    learner = render_markdown(body, "learner")
    trainer = render_markdown(body, "trainer")
    assert 'class="admonition key-term"' in learner
    assert "<table>" in learner
    assert 'id="first-part"' in learner
    assert "SECRET-TRAINER-TEXT" not in learner
    assert "SECRET-TRAINER-TEXT" in trainer and 'class="admonition trainer-note"' in trainer


def test_strip_trainer_notes_drops_a_section_left_empty():
    source = "## Read\n\nText.\n\n## Trainer notes\n\n!!! trainer-note \"T\"\n    Hidden.\n\n## Sources\n\n- One\n"
    stripped = strip_trainer_notes(source)
    assert "Trainer notes" not in stripped and "Hidden" not in stripped
    assert "## Sources" in stripped and "## Read" in stripped


def test_split_sections_at_headings_and_rules():
    source = "# Title\n\nIntro\n\n## One\n\nA\n\n---\n\nB\n\n## Two\n\n```\n## not a heading\n---\n```\n"
    sections = split_sections(source)
    assert [s.title for s in sections] == ["", "One", "One", "Two"]
    assert "## not a heading" in sections[-1].markdown


@pytest.fixture
def course_app(tmp_path):
    content = tmp_path / "content" / "modules"
    content.mkdir(parents=True)
    write_module(content, "01-a.md", id="alpha", title="Alpha", day=1, order=1)
    write_module(content, "02-b.md", id="beta", title="Beta", day=1, order=2)
    write_module(content, "03-c.md", id="gamma", title="Gamma", day=2, order=1)
    (content / "04-evil.md").write_text(GOOD.format(id="evil", title="Evil", day=2, order=2)
                                        + "\n<script>alert('x')</script>\n")
    return make_app(tmp_path, CONTENT_DIR=str(tmp_path / "content"))


@pytest.fixture
def learner_client(course_app):
    from tests.conftest import AuthActions, Factory

    factory = Factory(course_app)
    email = factory.email(factory.user("learner"))
    client = course_app.test_client()
    AuthActions(client).login(email)
    return client


def test_home_shows_two_day_agenda_and_progress(learner_client):
    page = learner_client.get("/").data.decode()
    assert "Day 1" in page and "Day 2" in page
    assert "Alpha" in page and "Gamma" in page
    assert "0 of 4 modules complete" in page
    assert 'role="progressbar"' in page
    assert "Start the course" in page


def test_module_page_prev_next_and_no_script(learner_client):
    page = learner_client.get("/modules/beta").data.decode()
    assert "Previous: Alpha" in page and "Next: Gamma" in page
    assert "SECRET-TRAINER-TEXT" not in page
    evil = learner_client.get("/modules/evil").data.decode()
    assert "<script>alert" not in evil
    assert learner_client.get("/modules/nope").status_code == 404


def test_module_page_has_one_h1(learner_client):
    page = learner_client.get("/modules/alpha").data.decode()
    assert page.count("<h1") == 1  # the body's own "# Alpha" line is not repeated under the page title


def test_drop_leading_title_keeps_other_headings():
    from course.curriculum.render import drop_leading_title

    assert drop_leading_title("\n# Title\n\nIntro\n\n## Part\n") == "\n\nIntro\n\n## Part\n"
    assert drop_leading_title("Intro\n# Not first\n") == "Intro\n# Not first\n"


def test_trainer_sees_trainer_notes(course_app):
    from tests.conftest import AuthActions, Factory

    factory = Factory(course_app)
    client = course_app.test_client()
    AuthActions(client).login(factory.email(factory.user("trainer")))
    assert "SECRET-TRAINER-TEXT" in client.get("/modules/alpha").data.decode()


def test_complete_moves_on_and_resume(learner_client):
    response = learner_client.post("/modules/alpha/complete")
    assert response.status_code == 302 and response.location.endswith("/modules/beta")
    learner_client.get("/modules/beta")
    saved = learner_client.post("/modules/beta/position", json={"position": "second-part"})
    assert saved.status_code == 200 and saved.get_json() == {"saved": True, "position": "second-part"}
    page = learner_client.get("/").data.decode()
    assert "1 of 4 modules complete" in page
    assert 'href="/modules/beta#second-part"' in page and "Resume: Beta" in page
    assert "Complete" in page


def test_position_must_be_a_heading(learner_client):
    learner_client.get("/modules/alpha")
    response = learner_client.post("/modules/alpha/position", json={"position": "<script>"})
    assert response.status_code == 400


def test_mark_not_complete(learner_client):
    learner_client.post("/modules/alpha/complete")
    learner_client.post("/modules/alpha/complete", data={"complete": "0"})
    assert "0 of 4 modules complete" in learner_client.get("/").data.decode()


def test_completion_sends_signal_once(course_app, learner_client):
    from course.events import module_completed

    seen = []

    def listener(sender, **kw):
        seen.append(kw["module_id"])

    module_completed.connect(listener)
    try:
        learner_client.post("/modules/alpha/complete")
        learner_client.post("/modules/alpha/complete")
    finally:
        module_completed.disconnect(listener)
    assert seen == ["alpha"]


def test_shipped_modules_are_valid():
    from course.config import DEFAULTS
    from course.curriculum.loader import library_for

    library = library_for(DEFAULTS["CONTENT_DIR"])
    assert library.problems() == []
    assert len(library.all()) >= 3
