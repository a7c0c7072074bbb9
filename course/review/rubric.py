"""The review rubric: one criterion per required part of the kind, plus plain, specific language."""
from __future__ import annotations

from dataclasses import dataclass

KIND_NAMES = {
    "harm": "Harm Statement",
    "danger": "Danger Statement",
    "safety_goal": "Safety Goal",
    "sf_question": "Solution-Focused Questions",
}

SCORES = (("meets", "Meets"), ("partly", "Partly"), ("not_yet", "Not yet"))
SCORE_LABELS = dict(SCORES)


@dataclass(frozen=True)
class Criterion:
    """One rubric row: what the trainer looks for."""

    id: str
    label: str
    guide: str


PLAIN = Criterion(
    "plain_language",
    "Behaviorally specific, plain language",
    "Names what people did and saw, in words the family could read: no labels, jargon or acronyms.",
)

_PARTS: dict[str, tuple[Criterion, ...]] = {
    "harm": (
        Criterion("caregiver_action", "What the caregiver did", "The act or failure to act someone could have seen."),
        Criterion("child", "Which child", "The child by name, with age."),
        Criterion("impact", "Impact on the child", "What happened to the child as a result."),
        Criterion("when", "When or how often", "A date, time or frequency."),
    ),
    "danger": (
        Criterion("worried_who", "Who is worried", "The agency and anyone in the network who shares the worry."),
        Criterion("child", "Which child", "The child who could be hurt, by name, with age."),
        Criterion("caregiver_behavior", "What the caregiver may do", "A behaviour, not a diagnosis or label."),
        Criterion("future_impact", "How the child could be hurt", "A concrete future harm to the child."),
        Criterion("context", "Trigger or situation", "When the worry is greatest."),
    ),
    "safety_goal": (
        Criterion("who_needs_to_see", "Who needs to see it", "The agency and network members who must see the change."),
        Criterion("caregiver_action", "What the caregiver will do",
                  "A positive, observable protective action, not a service."),
        Criterion("child_experience", "What the child will experience", "How life will feel or look for the child."),
        Criterion("context", "Even when the danger arises", "The situation in which the safety must hold."),
        Criterion("duration", "For how long", "The time over which it must be shown."),
    ),
    "sf_question": (
        Criterion("open_questions", "Open questions",
                  "What, how, when, who: no yes/no, why, leading or lecturing questions."),
        Criterion("question_variety", "Question variety",
                  "Several types: exception, scaling, coping, network, preferred future."),
        Criterion("next_steps", "Leads to next steps", "At least one question draws out a small, concrete next step."),
    ),
}


def criteria(kind: str) -> tuple[Criterion, ...]:
    """Return the rubric criteria for a kind of work, ending with plain language."""
    if kind not in _PARTS:
        raise LookupError(f"No rubric for work of kind {kind!r}; expected one of {', '.join(_PARTS)}.")
    return _PARTS[kind] + (PLAIN,)


def clean_rubric(kind: str, submitted: dict) -> dict:
    """Return only known criteria with valid scores, and comments trimmed to 2,000 characters."""
    valid = {value for value, _ in SCORES}
    cleaned = {}
    for criterion in criteria(kind):
        entry = submitted.get(criterion.id) or {}
        score = entry.get("score") if entry.get("score") in valid else None
        comment = str(entry.get("comment") or "").strip()[:2000]
        if score or comment:
            cleaned[criterion.id] = {"score": score, "comment": comment}
    return cleaned


def missing_scores(kind: str, rubric: dict) -> list[Criterion]:
    """Return the criteria that have no score yet."""
    return [c for c in criteria(kind) if not (rubric.get(c.id) or {}).get("score")]


def meets_fraction(kind: str, rubric: dict) -> float:
    """Return the fraction of criteria scored Meets (0 to 1)."""
    rows = criteria(kind)
    meets = sum(1 for c in rows if (rubric.get(c.id) or {}).get("score") == "meets")
    return round(meets / len(rows), 4)


def rubric_rows(kind: str, rubric: dict) -> list[dict]:
    """Return each criterion with its score label and comment, for display."""
    rows = []
    for criterion in criteria(kind):
        entry = rubric.get(criterion.id) or {}
        score = entry.get("score")
        rows.append({
            "criterion": criterion,
            "score": score,
            "score_label": SCORE_LABELS.get(score, "Not scored"),
            "comment": entry.get("comment", ""),
        })
    return rows
