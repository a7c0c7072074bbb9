"""The review rubric: one criterion per required part of the kind, plus plain, specific language."""
from __future__ import annotations

from dataclasses import dataclass

from grader.vocabulary import component_label

SCORES = (("meets", "Meets"), ("partly", "Partly"), ("not_yet", "Not yet"))
SCORE_LABELS = dict(SCORES)


@dataclass(frozen=True)
class Criterion:
    """One rubric row: what the trainer looks for."""

    id: str
    label: str
    guide: str


def _parts(kind: str, guides: tuple[tuple[str, str], ...]) -> tuple[Criterion, ...]:
    """One criterion per component of the kind, labelled as the grader's vocabulary labels it."""
    return tuple(Criterion(cid, component_label(kind, cid), guide) for cid, guide in guides)


PLAIN = Criterion(
    "plain_language",
    "Behaviorally specific, plain language",
    "Names what people did and saw, in words the family could read: no labels, jargon or acronyms.",
)

_PARTS: dict[str, tuple[Criterion, ...]] = {
    "harm": _parts("harm", (
        ("caregiver_action", "The act or failure to act someone could have seen."),
        ("child", "The child by name, with age."),
        ("impact", "What happened to the child as a result."),
        ("when", "A date, time or frequency."),
    )),
    "danger": _parts("danger", (
        ("worried_who", "The agency and anyone in the network who shares the worry."),
        ("child", "The child who could be hurt, by name, with age."),
        ("caregiver_behavior", "A behaviour, not a diagnosis or label."),
        ("future_impact", "A concrete future harm to the child."),
        ("context", "When the worry is greatest."),
    )),
    "safety_goal": _parts("safety_goal", (
        ("who_needs_to_see", "The agency and network members who must see the change."),
        ("caregiver_action", "A positive, observable protective action, not a service."),
        ("child_experience", "How life will feel or look for the child."),
        ("context", "The situation in which the safety must hold."),
        ("duration", "The time over which it must be shown."),
    )),
    # Solution-focused questions have no grader components: the rubric's rows are the trainer's own.
    "sf_question": (
        Criterion("open_questions", "Open questions",
                  "What, how, when, who: no yes/no, why, leading or lecturing questions."),
        Criterion("question_variety", "Question variety",
                  "Several types: exception, scaling, coping, network, preferred future."),
        Criterion("next_steps", "Leads to next steps", "At least one question draws out a small, concrete next step."),
    ),
}


REVIEWED_KINDS = tuple(_PARTS)  # the kinds learners submit for review, in writing order


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
