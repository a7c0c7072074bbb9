"""The grader on statements it was never tuned on: tests/data/grader_holdout.jsonl was written
independently (new families, free text) and is never read while rules are written. Its floors
sit a little under what the grader measured, so a regression on unseen text fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.evaluate import evaluate, load_corpus
from tests.grader_fixtures import DATA, assert_floors, course_rosters, evaluate_set

HOLDOUT = Path(__file__).parent / "data" / "grader_holdout.jsonl"


@pytest.fixture(scope="module")
def result(nlp):
    return evaluate(load_corpus(HOLDOUT), rosters=course_rosters())


def test_holdout_is_independent_and_sized():
    rows = load_corpus(HOLDOUT)
    assert len(rows) >= 100
    assert {r["kind"] for r in rows} == {"harm", "danger", "safety_goal", "sf_question"}


def test_holdout_verdicts(result):
    assert result["verdict_accuracy"] >= 0.90, result["verdict_accuracy"]


def test_holdout_components(result):
    assert result["component_accuracy"] >= 0.92, result["components"]


def test_holdout_flags(result):
    assert result["flag_precision"] >= 0.90 and result["flag_recall"] >= 0.90, result["flags"]


def test_holdout_questions(result):
    assert result["question_open_accuracy"] >= 0.95
    assert result["question_type_accuracy"] >= 0.70


# A second hold-out set, written later from the definitions alone (120 harm, danger and goal
# drafts; new families; no sight of the rules or the other sets), read only through `eval`'s
# summary. Measured when it arrived: verdict 0.89, components 0.934, flags 0.97 / 0.99 (the
# grader of the day before scored 0.87, 0.921 and 0.97 / 0.97 on it).
@pytest.fixture(scope="module")
def result2(nlp):
    return evaluate_set("grader_holdout2.jsonl")


def test_second_holdout_is_sized():
    rows = load_corpus(DATA / "grader_holdout2.jsonl")
    assert len(rows) == 120 and {r["kind"] for r in rows} == {"harm", "danger", "safety_goal"}


def test_second_holdout_floors(result2):
    assert_floors(result2, verdict=0.85, components=0.91, flags=0.93)
