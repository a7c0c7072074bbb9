"""Module loading, validation with line numbers, rendering, sanitising, progress and resume."""
from pathlib import Path

import pytest

from course.curriculum.render import render_markdown, split_sections, strip_trainer_notes
from course.module_files import ContentError, ModuleLibrary, parse_module
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
    from course.module_files import library_for

    library = library_for(DEFAULTS["CONTENT_DIR"])
    assert library.problems() == []
    assert len(library.all()) >= 3


# ---------------------------------------------------------------- the agenda file

AGENDA = """\
note: Two short days for the tests.
days:
  - day: 1
    start: "09:00"
    end: "10:30"
    sessions:
      - module: alpha
      - break: Break
        minutes: 10
      - module: beta
        minutes: 30
      - lunch: Lunch
        minutes: 15
  - day: 2
    start: "09:00"
    end: "10:30"
    sessions:
      - module: gamma
      - lunch: Lunch
        minutes: 20
      - module: evil
followup:
  - title: Post-course check
    minutes: 10
    what: Take the matching check.
    link: /quizzes/key-terms/post
"""


def _agenda_problems(tmp_path, text: str, modules=None):
    """Load an agenda text against the course_app modules; return (agenda, problems)."""
    from course.curriculum.agenda import load_agenda

    content = tmp_path / "content"
    (content / "agenda.yaml").write_text(text, encoding="utf-8")
    return load_agenda(content, modules if modules is not None else ModuleLibrary(content / "modules").all())


def test_agenda_lays_out_the_days_on_the_clock(course_app, tmp_path):
    agenda, problems = _agenda_problems(tmp_path, AGENDA)
    assert problems == []
    day1 = agenda.day(1)
    assert [(s.kind, s.starts, s.ends) for s in day1.slots] == [
        ("module", "9:00", "9:30"), ("break", "9:30", "9:40"), ("module", "9:40", "10:10"), ("lunch", "10:10", "10:25")]
    assert day1.classroom_minutes == 60 and day1.pause_minutes == 25 and day1.length == 90
    assert agenda.classroom_minutes == 120 and agenda.followup[0].link == "/quizzes/key-terms/post"


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ('      - module: beta\n        minutes: 30\n', '      - module: beta\n        minutes: 45\n', 11,
         "front matter says 30"),
        ('      - module: gamma\n', '      - module: nope\n', 18, "module 'nope' does not exist"),
        ('    end: "10:30"\n', '    end: "10:00"\n', 5, "holds 60"),
        ('      - lunch: Lunch\n        minutes: 20\n', '      - break: Pause\n        minutes: 20\n', 17,
         "Day 2 has no lunch"),
        ('      - module: evil\n', '      - module: alpha\n', 21, "placed twice"),
        ('    start: "09:00"\n    end: "10:30"\n', '    start: "9am"\n    end: "10:30"\n', 4, "must be a time like"),
        ('      - module: alpha\n      - break: Break\n        minutes: 10\n      - module: beta\n',
         '      - module: beta\n      - break: Break\n        minutes: 10\n      - module: alpha\n', 10,
         "make the agenda and the modules' 'order' agree"),
        ('      - break: Break\n        minutes: 10\n', '      - break: Break\n', 8, "needs 'minutes'"),
        ('note: Two short days for the tests.\n', '', 1, "missing 'note'"),
    ],
)
def test_agenda_problems_name_the_line(course_app, tmp_path, old, new, line, message):
    assert old in AGENDA
    _, problems = _agenda_problems(tmp_path, AGENDA.replace(old, new, 1))
    hit = next((p for p in problems if message in p.message), None)
    assert hit is not None, problems
    assert hit.line == line, f"{hit} should be on line {line}"
    assert str(hit).startswith(f"{hit.path}:{line}: ")


def test_agenda_needs_every_module_on_its_own_day(course_app, tmp_path):
    text = AGENDA.replace("      - module: evil\n", "")
    _, problems = _agenda_problems(tmp_path, text)
    assert any("module 'evil'" in p.message and "not on the agenda" in p.message for p in problems)
    beta = "      - module: beta\n        minutes: 30\n"
    moved = AGENDA.replace("      - module: gamma\n", "").replace(beta, beta + "      - module: gamma\n")
    _, problems = _agenda_problems(tmp_path, moved)
    assert any("says 'day: 2'" in p.message and "on Day 1" in p.message for p in problems)


def test_without_an_agenda_file_the_home_lays_out_the_modules(course_app, learner_client, tmp_path):
    from course.curriculum.agenda import load_agenda

    agenda, problems = load_agenda(tmp_path / "content", [])
    assert agenda is None and problems == []
    page = learner_client.get("/").data.decode()
    assert "Alpha" in page and "Gamma" in page and "Lunch" not in page


def test_home_shows_times_breaks_lunch_note_and_followup(course_app, learner_client, tmp_path):
    (tmp_path / "content" / "agenda.yaml").write_text(AGENDA, encoding="utf-8")
    page = learner_client.get("/").data.decode()
    assert "Two short days for the tests." in page
    assert "9:00 a.m.–10:30 a.m." in page and "9:40–10:10" in page
    assert "Break" in page and "Lunch" in page and "25 min of breaks and lunch" in page
    assert 'href="/quizzes/key-terms/post"' in page and "After Day 2 (self-paced follow-up)" in page
    assert page.index("Alpha") < page.index("Break") < page.index("Beta") < page.index("Lunch")


# ---------------------------------------------------------------- the trainer's kit

GUIDE = """\
- module: {module}
  timing:
    - minutes: 20
      what: First part.
    - minutes: 10
      what: Second part.
  setup: Tables of four.
  materials:
    - Markers
  debrief:
    - What did you notice?
  misconceptions:
    - belief: It is easy.
      response: It takes practice.
"""

CARD = """\
- id: hill-card
  family: hill-family
  title: A scene
  setting: The kitchen.
  roles:
    - who: Dana Ortiz (social worker)
      brief: Ask open questions.
    - who: {second}
      brief: Answer briefly.
  worker_goal: Reach a next step.
"""


def _kit(tmp_path, guides: str, cards: str):
    """Write the kit files for the four course_app modules and load them against the real vignettes."""
    from course.config import DEFAULTS
    from course.curriculum.kit import load_kit
    from course.vignettes import all_vignettes

    content = tmp_path / "content"
    (content / "kit").mkdir(exist_ok=True)
    (content / "kit" / "facilitation.yaml").write_text(guides, encoding="utf-8")
    (content / "kit" / "role-plays.yaml").write_text(cards, encoding="utf-8")
    return load_kit(content, ModuleLibrary(content / "modules").all(), all_vignettes(DEFAULTS["VIGNETTES_DIR"]))


def _all_guides() -> str:
    return "".join(GUIDE.format(module=m) for m in ("alpha", "beta", "gamma", "evil"))


def test_kit_loads_guides_in_course_order_and_cards_by_family(course_app, tmp_path):
    kit, problems = _kit(tmp_path, _all_guides(), CARD.format(second="Observer"))
    assert problems == []
    assert [g.module for g in kit.guides] == ["alpha", "beta", "gamma", "evil"]
    assert kit.guide("beta").minutes == 30 and kit.guide("beta").misconceptions[0].response == "It takes practice."
    assert [c.id for c in kit.cards_for("hill-family")] == ["hill-card"] and kit.cards_for("ruiz-family") == []


@pytest.mark.parametrize(
    "guides, second, line, message",
    [
        (_all_guides().replace("minutes: 10", "minutes: 15", 1), "Observer", 2,
         "adds up to 35 minutes but the module takes 30"),
        (GUIDE.format(module="alpha"), "Observer", 1, "module 'beta' has no facilitation guide"),
        (_all_guides().replace("module: evil", "module: nope"), "Observer", 1 + 3 * GUIDE.count("\n"),
         "'module' must be the id of a module"),
        (_all_guides().replace("  debrief:\n    - What did you notice?\n", "", 1), "Observer", 1,
         "'debrief' must be a list"),
        (_all_guides(), "Tanya Hill (mother)", 0, ""),
        (_all_guides(), "Linh Nguyen (mother)", 8, "names nobody in hill-family's roster"),
    ],
)
def test_kit_problems_name_the_file_and_line(course_app, tmp_path, guides, second, line, message):
    _, problems = _kit(tmp_path, guides, CARD.format(second=second))
    if not message:
        assert problems == []
        return
    hit = next((p for p in problems if message in p.message), None)
    assert hit is not None, problems
    assert hit.line == line, f"{hit} should be on line {line}"


def test_kit_cards_need_a_real_family_and_unique_ids(course_app, tmp_path):
    card = CARD.format(second="Observer")
    cards = card + card.replace("family: hill-family", "family: nope")
    _, problems = _kit(tmp_path, _all_guides(), cards)
    messages = [p.message for p in problems]
    assert any("'family' must be a vignette id" in m for m in messages)
    _, problems = _kit(tmp_path, _all_guides(), CARD.format(second="Observer") * 2)
    assert any("already used by card 1" in p.message for p in problems)


def test_a_content_folder_without_a_kit_has_an_empty_kit(course_app, tmp_path):
    from course.curriculum.kit import load_kit

    trainer_kit, problems = load_kit(tmp_path / "content", [], [])
    assert problems == [] and trainer_kit.guides == () and trainer_kit.cards == ()


@pytest.mark.parametrize("text, plain, suffixed", [("08:30", "8:30", "8:30 a.m."), ("12:05", "12:05", "12:05 p.m."),
                                                   ("15:00", "3:00", "3:00 p.m."), ("0:15", "12:15", "12:15 a.m.")])
def test_clock_label_reads_like_an_agenda(text, plain, suffixed):
    from course.curriculum.agenda import clock_label

    assert clock_label(text) == plain and clock_label(text, True) == suffixed
