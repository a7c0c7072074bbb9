"""The base form every feature's forms build on."""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.validators import ValidationError

from .grading import max_chars

_SCALARS = (str, int, float, bool)


def _as_text(value) -> str:
    """Render a JSON scalar the way a browser would have sent it in a form."""
    if isinstance(value, bool):
        return "y" if value else ""
    return value if isinstance(value, str) else str(value)


class AppForm(FlaskForm):
    """A FlaskForm that reads a JSON body as text fields, so odd JSON types fail validation instead of crashing."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            """Turn a JSON object into form fields: scalars as text, lists as repeated values, the rest dropped."""
            data = super().wrap_formdata(form, formdata)
            if data is None or request.form or request.files or not request.is_json:
                return data
            payload = request.get_json(silent=True)
            if not isinstance(payload, dict):
                return ImmutableMultiDict()
            pairs = []
            for key, value in payload.items():
                values = value if isinstance(value, list) else [value]
                pairs.extend((key, _as_text(v)) for v in values if isinstance(v, _SCALARS))
            return ImmutableMultiDict(pairs)


class GradableLength:
    """A validator: the text fits GRADE_MAX_CHARS, read when the form is checked (one setting for every form)."""

    def __init__(self, advice: str = "a statement is usually a few sentences"):
        self.advice = advice

    def __call__(self, form, field) -> None:
        """Refuse text over the limit, saying how long it is and what to do."""
        limit = max_chars()
        if field.data and len(field.data) > limit:
            raise ValidationError(f"This is {len(field.data):,} characters; keep it under {limit:,}: {self.advice}.")
