"""Read a rendered knowledge check as a browser would (fields, values and the visible text of each
choice) and answer it by that text, since the values themselves are opaque per attempt."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Choice:
    """One radio button, checkbox or select option: its value and the text the learner reads."""

    value: str
    text: str


@dataclass
class Field:
    """One answer field of an item: a group of radios or checkboxes, or a select."""

    name: str
    kind: str  # radio | checkbox | select
    label: str = ""  # selects: the visible label (a term or a statement)
    choices: list[Choice] = field(default_factory=list)


@dataclass
class ShownItem:
    """One fieldset of the form, in display order."""

    id: str
    type: str
    fields: dict[str, Field] = field(default_factory=dict)


class _QuizParser(HTMLParser):
    """Collect the quiz form's fieldsets, inputs, selects, labels and hidden fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[ShownItem] = []
        self.hidden: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # for= id -> text
        self.inputs: list[tuple[ShownItem, dict]] = []
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._select: Field | None = None
        self._select_id: str | None = None
        self._option: dict | None = None
        self._option_text: list[str] = []
        self._selects: list[tuple[ShownItem, str, Field]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "fieldset" and "data-item" in a:
            self.items.append(ShownItem(a["data-item"], a.get("data-type", "")))
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        elif tag == "input" and self.items:
            self.inputs.append((self.items[-1], a))
        elif tag == "label":
            self._label_for, self._label_text = a.get("for"), []
        elif tag == "select" and self.items:
            self._select = Field(a["name"], "select")
            self._select_id = a.get("id")
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a, []

    def handle_endtag(self, tag):
        if tag == "label" and self._label_for:
            self.labels[self._label_for] = " ".join("".join(self._label_text).split())
            self._label_for = None
        elif tag == "option" and self._option is not None:
            if self._option.get("value"):
                text = " ".join("".join(self._option_text).split())
                self._select.choices.append(Choice(self._option["value"], re.sub(r"^[A-Z]\. ", "", text)))
            self._option = None
        elif tag == "select" and self._select is not None:
            self._selects.append((self.items[-1], self._select_id, self._select))
            self._select = None

    def handle_data(self, data):
        if self._label_for:
            self._label_text.append(data)
        if self._option is not None:
            self._option_text.append(data)

    def finish(self) -> QuizForm:
        """Join labels to their fields and return the form."""
        for item, attrs in self.inputs:
            kind = attrs.get("type", "")
            group = item.fields.setdefault(attrs["name"], Field(attrs["name"], kind))
            group.choices.append(Choice(attrs.get("value", ""), self.labels.get(attrs.get("id"), "")))
        for item, select_id, select in self._selects:
            select.label = self.labels.get(select_id, "")
            item.fields[select.name] = select
        return QuizForm(self.items, self.hidden)


@dataclass
class QuizForm:
    """A parsed check: its items in display order and its hidden fields."""

    items: list[ShownItem]
    hidden: dict[str, str]

    def values(self) -> list[str]:
        """Return every answer value in the form (choices and select options)."""
        return [c.value for item in self.items for f in item.fields.values() for c in f.choices]

    def field_names(self) -> list[str]:
        """Return every answer field's name."""
        return [name for item in self.items for name in item.fields]

    def order(self) -> list[str]:
        """Return the item ids in display order."""
        return [item.id for item in self.items]

    def texts(self, item_id: str) -> list[str]:
        """Return an item's visible choices in display order (option texts, or definitions for match items)."""
        item = next(i for i in self.items if i.id == item_id)
        first = next(iter(item.fields.values()))
        return [c.text for c in first.choices]


def parse_quiz(html: str) -> QuizForm:
    """Parse a rendered check page."""
    parser = _QuizParser()
    parser.feed(html)
    return parser.finish()


def _pick(field_: Field, text: str) -> str:
    """Return the value of the choice whose visible text is the given text."""
    found = [c.value for c in field_.choices if c.text == " ".join(text.split())]
    assert found, f"no choice reads {text!r} in {field_.name}"
    return found[0]


def answer_data(html: str, quiz, right: bool = True) -> dict[str, list[str] | str]:
    """Return form data answering every shown item by its visible text: all right, or wrong where possible."""
    form = parse_quiz(html)
    data: dict[str, list[str] | str] = {"attempt": form.hidden.get("attempt", "")}
    for shown in form.items:
        item = quiz.items_by_id[shown.id]
        if item.type in ("single", "multiple"):
            (group,) = shown.fields.values()
            good = [o.text for o in item.options if o.correct]
            bad = [o.text for o in item.options if not o.correct][:1] or good
            data[group.name] = [_pick(group, t) for t in (good if right else bad)]
        elif item.type == "match":
            terms = [p.term for p in item.pairs]
            for select in shown.fields.values():
                i = terms.index(select.label)
                pair = item.pairs[i if right else (i + 1) % len(item.pairs)]
                data[select.name] = _pick(select, pair.definition)
        else:
            for select in shown.fields.values():
                entry = next(e for e in item.entries if " ".join(e.text.split()) == select.label)
                column = entry.column if right else next(c for c in item.columns if c != entry.column)
                data[select.name] = _pick(select, item.column_label(column))
    return data
