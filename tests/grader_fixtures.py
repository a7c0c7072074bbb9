"""Shared grader test helpers: a session-scoped spaCy pipeline and sample rosters."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import load_pipeline
from grader.evaluate import evaluate, load_corpus
from grader.vignette_files import RosterFolder

DATA = Path(__file__).parent / "data"
VIGNETTES = Path(__file__).resolve().parent.parent / "vignettes"

HILL_ROSTER = {
    "id": "hill-test",
    "roster": [
        {"name": "Jayden Hill", "short": "Jayden", "role": "child", "age": 7, "pronouns": "he/him"},
        {"name": "Tanya Hill", "short": "Tanya", "role": "caregiver", "age": 31, "pronouns": "she/her"},
        {"name": "Marcus Hill", "short": "Marcus", "role": "caregiver", "age": 34, "pronouns": "he/him"},
        {"name": "Keisha Brown", "short": "Aunt Keisha", "role": "network", "age": 38, "pronouns": "she/her"},
        {"name": "Rose Hill", "short": "Grandma Rose", "role": "network", "age": 62, "pronouns": "she/her"},
        {"name": "Dana Ortiz", "short": "Dana", "role": "professional", "pronouns": "she/her"},
    ],
}

RUIZ_ROSTER = {
    "id": "ruiz-test",
    "roster": [
        {"name": "Ana Ruiz", "short": "Ana", "role": "caregiver", "age": 29, "pronouns": "she/her"},
        {"name": "Mia Ruiz", "short": "Mia", "role": "child", "age": 4, "pronouns": "she/her"},
        {"name": "Leo Ruiz", "short": "Leo", "role": "child", "age": 2, "pronouns": "he/him"},
        {"name": "Sofia Ruiz", "short": "Sofia", "role": "network", "age": 33, "pronouns": "she/her"},
        {"name": "Luis Ramos", "short": "Luis", "role": "caregiver", "age": 30, "pronouns": "he/him"},
    ],
}

NGUYEN_ROSTER = {
    "id": "nguyen-test",
    "roster": [
        {"name": "Linh Nguyen", "short": "Linh", "role": "caregiver", "age": 36, "pronouns": "she/her"},
        {"name": "Bao Nguyen", "short": "Bao", "role": "child", "age": 9, "pronouns": "he/him"},
        {"name": "An Nguyen", "short": "An", "role": "child", "age": 5, "pronouns": "she/her"},
    ],
}


@pytest.fixture(scope="session")
def nlp():
    """The grader's cached pipeline, loaded once per test session."""
    return load_pipeline()


def assert_spans(text: str, report) -> None:
    """Every offset in a report points at exactly the reported text."""
    items = list(report.findings) + list(report.questions)
    items += [ev for comp in report.components for ev in comp.evidence]
    for item in items:
        assert 0 <= item.start <= item.end <= len(text), item
        assert text[item.start : item.end] == item.text, item


def evaluate_set(name: str) -> dict:
    """Grade every row of a labelled set in tests/data and compare with its labels."""
    return evaluate(load_corpus(DATA / name), rosters=course_rosters())


def course_rosters() -> RosterFolder:
    """Rosters of the course's vignette files, for rows that name a vignette."""
    return RosterFolder(VIGNETTES)


def assert_floors(result: dict, verdict: float, components: float, flags: float) -> None:
    """A labelled set meets its verdict, component and flag precision/recall floors."""
    assert result["verdict_accuracy"] >= verdict, result["verdict_accuracy"]  # summary only: hold-out rows stay unread
    assert result["component_accuracy"] >= components, result["components"]
    assert result["flag_precision"] >= flags and result["flag_recall"] >= flags, result["flags"]
