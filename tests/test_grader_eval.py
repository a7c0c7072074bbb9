"""The grader measured against the labelled corpus (tests/data/grader_corpus.jsonl)."""

from __future__ import annotations

import pytest

from grader.evaluate import DEFAULT_CORPUS, cohen_kappa, evaluate, load_corpus, locate_flags
from tests.grader_fixtures import course_rosters


@pytest.fixture(scope="module")
def result(nlp):
    return evaluate(load_corpus(DEFAULT_CORPUS), rosters=course_rosters())


def test_corpus_is_big_enough():
    assert len(load_corpus(DEFAULT_CORPUS)) >= 240


def test_verdict_accuracy(result):
    assert result["verdict_accuracy"] >= 0.95, result["verdict_accuracy"]
    assert result["verdict_kappa"] >= 0.85


def test_component_accuracy(result):
    assert result["component_accuracy"] >= 0.93
    for component, accuracy in result["components"].items():
        assert accuracy >= 0.9, (component, accuracy)


def test_flag_precision_and_recall(result):
    assert result["flag_precision"] >= 0.90 and result["flag_recall"] >= 0.90
    for category, figures in result["flags"].items():
        if figures["expected"] >= 5:
            assert figures["precision"] >= 0.9 and figures["recall"] >= 0.9, (category, figures)


def test_question_figures(result):
    assert result["question_open_accuracy"] >= 0.95
    assert result["question_type_accuracy"] >= 0.8


def test_kappa_and_flag_location_helpers():
    assert cohen_kappa([("a", "a"), ("b", "b")]) == 1.0
    assert cohen_kappa([("a", "b"), ("b", "a")]) < 0
    spans = locate_flags("DV and DV, then dv", [{"category": "jargon", "text": "DV"}] * 3)
    assert [s[1] for s in spans] == [0, 7, 16]
