"""One detector per component (docs/grader-corpus-format.md): kind -> component id -> detect(Context) -> Found.

Each module holds one component's rule and reads its words from rules/lexicons.yaml.
tests/test_grader_detectors.py checks this table against the vocabulary.
"""

from __future__ import annotations

from . import (
    caregiver_behavior,
    child,
    child_experience,
    child_questions,
    context,
    duration,
    future_impact,
    harm_act,
    impact,
    protective_action,
    when,
    who_needs_to_see,
    worried_who,
)
from .common import Context, Found

DETECTORS = {
    "harm": {
        "caregiver_action": harm_act.detect,
        "child": child.detect,
        "impact": impact.detect,
        "when": when.detect,
    },
    "danger": {
        "worried_who": worried_who.detect,
        "child": child.detect,
        "caregiver_behavior": caregiver_behavior.detect,
        "context": context.detect,
        "future_impact": future_impact.detect,
    },
    "safety_goal": {
        "who_needs_to_see": who_needs_to_see.detect,
        "caregiver_action": protective_action.detect,
        "context": context.detect,
        "duration": duration.detect,
        "child_experience": child_experience.detect,
    },
    "child_questions": {
        "opening": child_questions.detect_opening,
        "houses": child_questions.detect_houses,
        "sharing": child_questions.detect_sharing,
    },
}


def detect(kind: str, ctx: Context) -> dict[str, Found]:
    """Run every detector of a kind."""
    return {component: run(ctx) for component, run in DETECTORS.get(kind, {}).items()}


__all__ = ["DETECTORS", "Context", "Found", "detect"]
