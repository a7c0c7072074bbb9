"""The one vocabulary (grader/rules/vocabulary.yaml): kinds, components, categories, question types."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
from grader import grade
from grader.ruleset import default_ruleset
from grader.vocabulary import VOCABULARY_FILE, VocabularyError, load_vocabulary


def test_kinds_and_labels():
    assert grader.KINDS == ("harm", "danger", "safety_goal", "sf_question", "child_questions", "plain_language")
    assert grader.kind_label("harm") == "Harm Statement"
    assert grader.kind_label("safety_goal", plural=True) == "Safety Goals"
    assert [k for k in grader.KINDS if grader.is_numbered(k)] == ["danger", "safety_goal"]
    assert grader.kind_from_slug(grader.kind_slug("safety_goal")) == "safety_goal"
    assert grader.component_label("harm", "impact") == "Impact on the child"
    assert grader.category_label("vague_label") and grader.question_type_label("preferred_future") == "Preferred future"


@pytest.mark.parametrize(
    "call",
    [
        lambda: grader.kind_label("poem"),
        lambda: grader.category_label("nope"),
        lambda: grader.component_label("harm", "nope"),
        lambda: grader.question_type_label("x"),
    ],
)
def test_unknown_names_raise_key_error(call):
    with pytest.raises(KeyError):
        call()


def test_every_rule_category_and_question_type_is_in_the_vocabulary():
    ruleset = default_ruleset()
    for rule in ruleset.rules:
        assert rule.category in grader.CATEGORIES, rule.id
        assert all(k in grader.KINDS for k in rule.kinds), rule.id
    for qtype, _cues in ruleset.question_types:
        assert qtype in grader.QUESTION_TYPES
    for kind in grader.KINDS:
        assert [c["id"] for c in ruleset.components[kind]] == [c.id for c in grader.components(kind)]


@pytest.mark.parametrize(
    "change,problem",
    [
        (("slug: safety-goal", "slug: harm"), "kind safety_goal: 'slug'"),
        (("numbered: true", "numbered: maybe"), "'numbered'"),
        (("    severity: error", "    severity: fatal"), "category vague_label: 'severity'"),
        (("  - id: coping\n", "  - id: Coping Q\n"), "question_types entry"),
        (("checks: [vague_label,", "checks: [nonsense,"), "kind plain_language"),
    ],
)
def test_bad_vocabulary_names_file_and_entry(tmp_path, change, problem):
    text = VOCABULARY_FILE.read_text(encoding="utf-8")
    assert change[0] in text
    bad = tmp_path / "vocabulary.yaml"
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(VocabularyError) as info:
        load_vocabulary(bad)
    assert "vocabulary.yaml" in str(info.value) and problem in str(info.value), str(info.value)


def test_missing_vocabulary_file_is_named(tmp_path):
    with pytest.raises(VocabularyError, match="nothing.yaml"):
        load_vocabulary(Path(tmp_path) / "nothing.yaml")


def test_plain_language_reports_labels_jargon_judgement_identifiers_and_passives(nlp):
    text = "Mom is lazy and neglectful. The CFT met. Jayden was hit. Call 555-867-5309. Everyone wants to help."
    report = grade("plain_language", text)
    assert {f.category for f in report.findings} == {"judgmental", "vague_label", "jargon", "privacy", "passive_voice"}
    assert report.components == () and report.questions == () and report.verdict == "revise"
    assert grade("plain_language", "Keisha will pick Jayden up on Friday evenings.").verdict == "ready"


def test_child_questions_are_graded_as_questions(nlp):
    report = grade("child_questions", "What makes you happy at home?\nWhy did you hide?")
    assert [q.open for q in report.questions] == [True, True]
    assert [f.category for f in report.findings] == ["why_question"] and report.verdict == "revise"
    plan = ("I'm Dana and I help kids. We are going to draw three houses.\nWhat worries you at home?\n"
            "What are the good things at home?\nWhat would be in your house of dreams?\n"
            "Is it okay if I show your houses to your mom?")
    assert grade("child_questions", plan, child_age=7).verdict == "ready"
    # no opening, houses or sharing
    assert grade("child_questions", "Who do you like to play with?").verdict == "revise"
