"""The knowledge-check form: CSRF via Flask-WTF, answers read per item (the items come from content files)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..forms import AppForm
from ..numbers import plain_int
from .loader import Item, Quiz

MESSAGES = {
    "single": "Choose one answer.",
    "multiple": "Choose at least one answer.",
    "match": "Choose a meaning for every term.",
    "sort": "Choose a column for every statement.",
}


class QuizForm(AppForm):
    """Carries the CSRF token; the questions themselves are read by `parse_answers`."""


def field_name(item: Item, part: int | None = None) -> str:
    """Return the form field name for an item, or for one pair or statement of it."""
    return f"q-{item.id}" if part is None else f"q-{item.id}-{part}"


def _index(value: str | None, size: int) -> int | None:
    """Return the value as an index below size, or None."""
    number = plain_int(value)
    return number if number is not None and number < size else None


def parse_item(item: Item, form: MultiDict) -> tuple[object, bool]:
    """Read one item's answer; return it (partial answers kept) and whether it is complete."""
    if item.type == "single":
        answer = _index(form.get(field_name(item)), len(item.options))
        return answer, answer is not None
    if item.type == "multiple":
        picks = sorted(
            {i for i in (_index(v, len(item.options)) for v in form.getlist(field_name(item))) if i is not None}
        )
        return picks, bool(picks)
    if item.type == "match":
        picks = [_index(form.get(field_name(item, i)), len(item.pairs)) for i in range(len(item.pairs))]
        return picks, all(p is not None for p in picks)
    picks = [form.get(field_name(item, i)) if form.get(field_name(item, i)) in item.columns else None
             for i in range(len(item.entries))]
    return picks, all(p is not None for p in picks)


def parse_answers(quiz: Quiz, form: MultiDict) -> tuple[dict, dict[str, str]]:
    """Read every item's answer; return the answers and a message for each item left incomplete."""
    answers, errors = {}, {}
    for item in quiz.items:
        answer, complete = parse_item(item, form)
        answers[item.id] = answer
        if not complete:
            errors[item.id] = MESSAGES[item.type]
    return answers, errors
