"""How one attempt shows a check: the item and option order, and the opaque values in the form.

Every value the learner's browser sees (a choice, a definition, a statement's field, a map column)
is an HMAC of the app's SECRET_KEY, the attempt id and the part, so the page source says nothing
about the key, and two attempts never share values. The order comes from the same HMAC: stable for
an attempt (a reload shows the same order), different for the next one. The server maps the values
back to file positions, which is all scoring and storage ever see.

The attempt id is `<user>.<check>.<kind>.<n>`, n being the learner's submitted attempts at that
check and kind plus one; the form carries n, so a second open tab still scores against its own page.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

from .loader import Item, Quiz


def attempt_id(user_id: int, quiz_id: str, kind: str, number: int) -> str:
    """Return the id of a learner's nth attempt at a check of a kind."""
    return f"{user_id}.{quiz_id}.{kind}.{number}"


def _secret() -> bytes:
    """Return the app's SECRET_KEY as bytes."""
    key = current_app.config["SECRET_KEY"]
    return key if isinstance(key, bytes) else str(key).encode()


def token(secret: bytes, attempt: str, *parts: object) -> str:
    """Return an opaque value for one part of an attempt: letters and digits, never a bare number."""
    message = "\x1f".join([attempt, *(str(p) for p in parts)]).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return "v" + base64.b32encode(digest[:10]).decode().lower()


@dataclass(frozen=True)
class ShownItem:
    """One item as an attempt shows it: parts in display order and the value of each part."""

    item: Item
    order: tuple[int, ...]  # option, definition or statement indexes (file order) in display order
    values: tuple[str, ...]  # the opaque value of each part, by file index
    column_values: tuple[str, ...] = ()  # sort items: the opaque value of each column, by column index

    def value(self, index: int) -> str:
        """Return the form value of a part (by its file index)."""
        return self.values[index]

    def column_value(self, column: str) -> str:
        """Return the form value of a map column (sort items)."""
        return self.column_values[self.item.columns.index(column)]

    def field(self, index: int | None = None) -> str:
        """Return a form field name: the item's, a match term's (by index) or a sort statement's (by file index)."""
        if index is None:
            return f"q-{self.item.id}"
        if self.item.type == "sort":
            return f"q-{self.item.id}-{self.values[index]}"
        return f"q-{self.item.id}-{index}"

    def decode(self, value: str | None) -> int | None:
        """Return the file index of the part a value stands for, or None for an unknown value."""
        try:
            return self.values.index(value) if value else None
        except ValueError:
            return None

    def decode_column(self, value: str | None) -> str | None:
        """Return the column a value stands for (sort items), or None."""
        try:
            return self.item.columns[self.column_values.index(value)] if value else None
        except ValueError:
            return None


def _part_count(item: Item) -> int:
    """Return how many options, definitions or statements an item has."""
    return {"single": len(item.options), "multiple": len(item.options), "match": len(item.pairs),
            "sort": len(item.entries)}[item.type]


def show_item(item: Item, attempt: str, secret: bytes) -> ShownItem:
    """Return an item's display order and values for one attempt."""
    size = _part_count(item)
    order = tuple(sorted(range(size), key=lambda i: token(secret, attempt, item.id, "place", i)))
    values = tuple(token(secret, attempt, item.id, "part", i) for i in range(size))
    columns = tuple(token(secret, attempt, item.id, "column", c) for c in item.columns) if item.type == "sort" else ()
    return ShownItem(item, order, values, columns)


def item_order(quiz: Quiz, kind: str, attempt: str, secret: bytes) -> list[str]:
    """Return the ids of the items an attempt shows, in order: file order for module checks, shuffled for pre/post."""
    items = quiz.items_for(kind)
    if kind == "module":
        return [item.id for item in items]
    return [item.id for item in sorted(items, key=lambda item: token(secret, attempt, item.id, "item"))]


def shown_items(quiz: Quiz, kind: str, attempt: str, secret: bytes | None = None) -> list[ShownItem]:
    """Return every item an attempt shows, in display order, with its parts' order and values."""
    secret = secret or _secret()
    return [show_item(quiz.items_by_id[i], attempt, secret) for i in item_order(quiz, kind, attempt, secret)]
