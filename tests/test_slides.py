"""Slides: `!!! slide` blocks are what the room sees, the prose becomes the trainer notes, every module
opens with a title slide, and the content check holds each slide to 40 words."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from course.classroom.slides import deck
from course.content_check import run_checks, slide_problems
from course.curriculum.render import count_words, key_points, slide_blocks
from course.curriculum.services import get_module
from tests.conftest import AuthActions, Factory, make_app

REPO = Path(__file__).resolve().parent.parent

MODULE = """---
id: statements-demo
title: Harm and Danger
day: 2
order: 3
minutes: 45
objectives: [4, 9]
summary: Tell the past from the future.
---

# Harm and Danger

Opening prose for readers: SELF-PACED-INTRO.

!!! trainer-note "Timing"
    TIMING-NOTE: 45 minutes.

## Harm is the past

Harm is what a caregiver did or did not do. PROSE-ONE explains it at length for self-paced readers.

!!! slide
    - Harm: what happened, in the **past**
    - Danger: what may happen if nothing changes

    [[diagram: harm-danger-goal-timeline]]

!!! trainer-note "Ask the room"
    DEBRIEF-ONE: which column?

## The scale alone

!!! slide "Where are we today?"
    [[diagram: safety-scale]]

Ask each person for a number. PROSE-TWO.

## Words only

!!! slide
    Say what happened, to whom, and what it did to the child.

Long prose for readers. PROSE-THREE.

## No slide here

FALLBACK-TEXT stays a plain cut slide.

---

SECOND-CUT after a rule.

!!! trainer-note "Note"
    FALLBACK-NOTE.
"""


@pytest.fixture
def course(tmp_path):
    """An app whose content is the real course plus one module with slide blocks and diagrams."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    (content / "modules" / "99-demo.md").write_text(MODULE)
    return make_app(tmp_path, CONTENT_DIR=str(content))


@pytest.fixture
def demo_deck(course):
    with course.app_context():
        return deck(get_module("statements-demo"))


def test_title_slide_has_the_module_title_day_minutes_and_objectives(demo_deck):
    title = demo_deck[0]
    assert title.layout == "title" and title.title == "Harm and Danger"
    assert "Day 2 · 45 minutes" in title.html
    assert "The key terms" in title.html and "Harm, danger and safety goals" in title.html
    # The opening prose and its timing note are the trainer's, in the console.
    assert "SELF-PACED-INTRO" in title.notes_html and "TIMING-NOTE" in title.notes_html
    assert "SELF-PACED-INTRO" not in title.html


def test_slide_block_is_the_slide_and_the_prose_is_the_notes(demo_deck):
    slide = demo_deck[1]
    assert slide.title == "Harm is the past" and slide.layout == "split"
    assert "<strong>past</strong>" in slide.html and 'diagram--harm-danger-goal-timeline' in slide.html
    assert "PROSE-ONE" not in slide.html and "DEBRIEF-ONE" not in slide.html
    assert "PROSE-ONE" in slide.notes_html and "DEBRIEF-ONE" in slide.notes_html
    assert "<svg" not in slide.notes_html  # the diagram stays on the slide
    assert "Harm is the past</h2>" not in slide.notes_html  # the console already shows the title


@pytest.mark.parametrize("index, title, layout", [
    (2, "Where are we today?", "diagram"),
    (3, "Words only", "text"),
    (4, "No slide here", "text"),
    (5, "No slide here", "text"),
])
def test_layouts_and_fallback_cuts(demo_deck, index, title, layout):
    assert (demo_deck[index].title, demo_deck[index].layout) == (title, layout)
    assert f"slide-layout--{layout}" in demo_deck[index].html


def test_fallback_section_keeps_the_old_cutting(demo_deck):
    assert len(demo_deck) == 6
    assert "FALLBACK-TEXT" in demo_deck[4].html and "SECOND-CUT" in demo_deck[5].html
    assert "FALLBACK-NOTE" in demo_deck[5].notes_html and "FALLBACK-NOTE" not in demo_deck[5].html


def test_ids_never_clash_between_the_current_and_next_slide(demo_deck):
    ids = [i for slide in demo_deck for i in re.findall(r'\bid="([^"]+)"', slide.html)]
    assert ids and len(ids) == len(set(ids))


def test_module_page_shows_the_slide_as_key_points(course):
    factory = Factory(course)
    client = course.test_client()
    AuthActions(client).login(factory.email(factory.user("learner")))
    page = client.get("/modules/statements-demo").get_data(as_text=True)
    assert page.count('class="admonition key-points"') == 3
    assert "!!! slide" not in page and "admonition slide" not in page
    assert page.count("diagram--harm-danger-goal-timeline") == 1 and page.count("diagram--safety-scale") == 1


def test_key_points_do_not_repeat_a_diagram_the_prose_already_shows():
    source = ("## A\n\n[[diagram: safety-scale]]\n\n!!! slide\n    Ten words.\n\n"
              "    [[diagram: safety-scale]]\n\nMore.\n")
    out = key_points(source)
    assert out.count("[[diagram: safety-scale]]") == 1 and '!!! key-points "Key points"' in out
    only_diagram = "## A\n\n[[diagram: safety-scale]]\n\n!!! slide\n    [[diagram: safety-scale]]\n\nMore.\n"
    assert "key-points" not in key_points(only_diagram)


@pytest.mark.parametrize("text, words", [
    ("Harm is the **past**.", 4),
    ("- one two\n- three\n1. four", 4),
    ("See [the Hill family](/exercises/hill-family) now.", 5),
    ("A 0-10 scale, don't count punctuation — ever.", 7),
    ("Solution-focused, well-known", 2),
])
def test_count_words(text, words):
    assert count_words(text) == words


def test_diagram_lines_do_not_count_toward_the_limit():
    block = slide_blocks("!!! slide\n    One two three.\n\n    [[diagram: safety-scale]]\n")[0]
    assert block.word_count == 3 and block.diagrams == ["safety-scale"]


def test_content_check_fails_a_slide_over_40_words_at_its_line():
    long_slide = " ".join(["word"] * 41)
    body = (f"Intro\n\n## One\n\n!!! slide\n    {long_slide}\n\n"
            "## Two\n\n!!! slide\n    Short.\n\n!!! slide\n    Again.\n\n"
            "## Three\n\n!!! slide\n\nText.\n")
    problems = slide_problems(body, "content/modules/10-x.md", 11, set())
    messages = {p.line: p.message for p in problems}
    assert "41 words" in messages[15] and "at most 40" in messages[15]
    assert "more than one slide block" in messages[23]
    assert "empty" in messages[28]
    assert len(problems) == 3
    exactly = slide_problems("## A\n\n!!! slide\n    " + " ".join(["w"] * 40) + "\n", "m.md", 1, set())
    assert exactly == []


def test_content_check_runs_the_slide_and_diagram_checkers(course):
    results = run_checks(course.config)
    assert results["slides"] == [] and results["diagrams"] == []
    modules = Path(course.config["CONTENT_DIR"], "modules")
    too_long = "Words only\n\n!!! slide\n    " + "very " * 40 + "Say"
    (modules / "99-demo.md").write_text(MODULE.replace("Words only\n\n!!! slide\n    Say", too_long))
    (Path(course.config["CONTENT_DIR"], "diagrams", "broken.svg")).write_text("<svg>")
    results = run_checks(course.config)
    assert any("words of body text" in p.message and p.path.endswith("99-demo.md") for p in results["slides"])
    assert any(p.path.endswith("broken.svg") and "well-formed" in p.message for p in results["diagrams"])


def test_real_course_deck_still_builds_for_every_module(app):
    from course.curriculum.services import all_modules

    with app.app_context():
        for module in all_modules():
            slides = deck(module)
            assert slides[0].layout == "title" and slides[0].title == module.title
            assert all("trainer-note" not in s.html for s in slides), module.id
