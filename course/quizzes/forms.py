"""The knowledge-check form: CSRF via Flask-WTF, answers read per item (the items come from content files).

The page carries opaque per-attempt values (see `presentation`); this module maps them back to
file positions: single -> option index, multiple -> sorted option indexes, match -> a definition
index per term, sort -> a column per statement. Unknown values count as no answer.
"""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..forms import AppForm
from .presentation import ShownItem

MESSAGES = {
    "single": "Choose one answer.",
    "multiple": "Choose at least one answer.",
    "match": "Choose a meaning for every term.",
    "sort": "Choose a column for every statement.",
}


class QuizForm(AppForm):
    """Carries the CSRF token; the questions themselves are read by `parse_answers`."""


def parse_item(shown: ShownItem, form: MultiDict) -> tuple[object, bool]:
    """Read one item's answer; return it (partial answers kept) and whether it is complete."""
    item = shown.item
    if item.type == "single":
        answer = shown.decode(form.get(shown.field()))
        return answer, answer is not None
    if item.type == "multiple":
        picks = sorted({i for i in (shown.decode(v) for v in form.getlist(shown.field())) if i is not None})
        return picks, bool(picks)
    if item.type == "match":
        picks = [shown.decode(form.get(shown.field(i))) for i in range(len(item.pairs))]
        return picks, all(p is not None for p in picks)
    picks = [shown.decode_column(form.get(shown.field(i))) for i in range(len(item.entries))]
    return picks, all(p is not None for p in picks)


def parse_answers(shown_items: list[ShownItem], form: MultiDict) -> tuple[dict, dict[str, str]]:
    """Read every shown item's answer; return the answers and a message for each item left incomplete."""
    answers, errors = {}, {}
    for shown in shown_items:
        answer, complete = parse_item(shown, form)
        answers[shown.item.id] = answer
        if not complete:
            errors[shown.item.id] = MESSAGES[shown.item.type]
    return answers, errors
