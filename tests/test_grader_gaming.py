"""The gaming set and hold-out 4, now development sets (grader 2.2.0, round 3 of issue 13).

tests/data/grader_gaming.jsonl holds 58 drafts a trainer would obviously send back (keyword
salad, gifts as actions, trivial impacts, advice and lectures as questions, questions about the
worker, another language) and 28 excellent ones. The issue's target: at most one bad draft passes
and at most one excellent draft is sent back. Grader 2.1.0 let 9 bad drafts pass and sent 3
excellent ones back; 2.2.0 lets none pass and sends none back.

tests/data/grader_holdout4.jsonl was scored once, blind, under 2.1.0 (verdict 0.905, components
0.909, flags 0.95 / 0.85); it is spent, so it is a development set from 2.2.0 on, and these
floors keep what round 3 reached on it (0.933, 0.912, 0.958 / 0.968).

Hold-outs 3 and 5 were scored once, blind, under 2.0.0 and 2.2.0; both are spent, and from 2.3.0
(round 4) their floors keep what round 4 reached: hold-out 5 verdict 0.957, components 0.978,
flags 0.94 / 0.985, privacy and passive-voice recall 1.0 and 0.93, question types 0.957;
hold-out 3 verdict 0.924, components 0.914, flags 0.96 / 0.81, question types 0.878.

Hold-out 6 was scored once, blind, under 2.3.0 (verdict 0.915, components 0.949, flags 0.910 /
0.899, question types 0.833, leading-question recall 0.65); it is spent, and from 2.4.0 (round 5)
its floors keep what round 5 reached, less a small margin: verdict 0.919, components 0.951,
flags 0.945 / 0.961, question types 0.905, leading-question recall 0.957, false flags per clean
draft 0.028.

Hold-out 7 was scored once, blind, under 2.4.0 (verdict 0.896, components 0.926, flags 0.91 /
0.90, question types 0.761, caregiver behaviour 0.83, jargon recall 0.83); it is spent, and from
2.5.0 (round 6) its floors keep what round 6 reached, less a small margin: verdict 0.934,
components 0.933, flags 0.936 / 0.953, caregiver behaviour 0.904, jargon recall 1.0, leading-question
recall 0.93, false flags per clean draft 0.021, question types 0.761.
"""

from __future__ import annotations

import pytest

from tests.grader_fixtures import assert_floors, evaluate_set


@pytest.fixture(scope="module")
def gaming(nlp):
    return evaluate_set("grader_gaming.jsonl")


def test_gaming_set_meets_the_issue_target(gaming):
    g = gaming["gaming"]
    assert g["bad"] == 58 and g["excellent"] == 28
    assert g["bad_passed"] <= 1, g
    assert g["excellent_sent_back"] <= 1, g


def test_holdout4_as_a_development_set_keeps_its_floors(nlp):
    result = evaluate_set("grader_holdout4.jsonl")
    assert_floors(result, verdict=0.93, components=0.91, flags=0.95)


def test_holdout5_as_a_development_set_keeps_its_floors(nlp):
    result = evaluate_set("grader_holdout5.jsonl")
    assert_floors(result, verdict=0.95, components=0.97, flags=0.94)
    assert result["flags"]["privacy"]["recall"] == 1.0, result["flags"]["privacy"]
    assert result["flags"]["passive_voice"]["recall"] >= 0.9, result["flags"]["passive_voice"]
    assert result["question_type_accuracy"] >= 0.95, result["question_type_accuracy"]


def test_holdout3_as_a_development_set_keeps_its_floors(nlp):
    result = evaluate_set("grader_holdout3.jsonl")
    assert_floors(result, verdict=0.92, components=0.91, flags=0.81)
    assert result["question_type_accuracy"] >= 0.87, result["question_type_accuracy"]


def test_holdout6_as_a_development_set_keeps_its_floors(nlp):
    result = evaluate_set("grader_holdout6.jsonl")
    assert_floors(result, verdict=0.91, components=0.94, flags=0.93)
    assert result["question_type_accuracy"] >= 0.89, result["question_type_accuracy"]
    assert result["flags"]["leading_question"]["recall"] >= 0.9, result["flags"]["leading_question"]
    assert result["false_flags_per_clean_draft"] <= 0.04, result["false_flags_per_clean_draft"]


def test_holdout7_as_a_development_set_keeps_its_floors(nlp):
    result = evaluate_set("grader_holdout7.jsonl")
    assert_floors(result, verdict=0.92, components=0.925, flags=0.93)
    assert result["components"]["caregiver_behavior"] >= 0.89, result["components"]
    assert result["flags"]["jargon"]["recall"] >= 0.95, result["flags"]["jargon"]
    assert result["flags"]["leading_question"]["recall"] >= 0.9, result["flags"]["leading_question"]
    assert result["false_flags_per_clean_draft"] <= 0.03, result["false_flags_per_clean_draft"]
    assert result["question_type_accuracy"] >= 0.75, result["question_type_accuracy"]
