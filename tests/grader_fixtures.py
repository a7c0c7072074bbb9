"""Shared grader test helpers: a session-scoped spaCy pipeline and sample rosters."""
from __future__ import annotations

import pytest

from grader import load_pipeline

HILL_ROSTER = {"id": "hill-test", "roster": [
    {"name": "Jayden Hill", "short": "Jayden", "role": "child", "age": 7, "pronouns": "he/him"},
    {"name": "Tanya Hill", "short": "Tanya", "role": "caregiver", "age": 31, "pronouns": "she/her"},
    {"name": "Marcus Hill", "short": "Marcus", "role": "caregiver", "age": 34, "pronouns": "he/him"},
    {"name": "Keisha Brown", "short": "Aunt Keisha", "role": "network", "age": 38, "pronouns": "she/her"},
    {"name": "Rose Hill", "short": "Grandma Rose", "role": "network", "age": 62, "pronouns": "she/her"},
    {"name": "Dana Ortiz", "short": "Dana", "role": "professional", "pronouns": "she/her"},
]}

RUIZ_ROSTER = {"id": "ruiz-test", "roster": [
    {"name": "Ana Ruiz", "short": "Ana", "role": "caregiver", "age": 29, "pronouns": "she/her"},
    {"name": "Mia Ruiz", "short": "Mia", "role": "child", "age": 4, "pronouns": "she/her"},
    {"name": "Leo Ruiz", "short": "Leo", "role": "child", "age": 2, "pronouns": "he/him"},
    {"name": "Sofia Ruiz", "short": "Sofia", "role": "network", "age": 33, "pronouns": "she/her"},
    {"name": "Luis Ramos", "short": "Luis", "role": "caregiver", "age": 30, "pronouns": "he/him"},
]}


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
        assert text[item.start:item.end] == item.text, item
