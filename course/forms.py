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


# WTForms' own "Field cannot be longer than 2000 characters." names neither the text's length nor what to do.
TOO_LONG = "This is %(length)d characters long; the limit is %(max)d. Shorten it, then send it again."


class _Messages:
    """WTForms' messages, with the too-long message replaced by one that says how long and what to do."""

    def gettext(self, string: str) -> str:
        """Return the message unchanged."""
        return string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return our too-long message for Length(max=...), else WTForms' own."""
        if singular.startswith("Field cannot be longer than"):
            return TOO_LONG
        return singular if n == 1 else plural


def _plain_line_breaks(data):
    """Return form data with each CRLF as one LF.

    A browser counts a textarea's line break as one character for maxlength but sends it as CRLF, so a comment
    the page allowed (1,999 characters with 49 line breaks) arrived as 2,048 and failed Length(max=2000)."""
    pairs = [(key, value.replace("\r\n", "\n") if isinstance(value, str) else value)
             for key, value in data.items(multi=True)]
    return ImmutableMultiDict(pairs)


class AppForm(FlaskForm):
    """A FlaskForm that reads a JSON body as text fields, so odd JSON types fail validation instead of crashing."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            """Use our wording for WTForms' built-in messages (the app has no other translations)."""
            return _Messages()

        def wrap_formdata(self, form, formdata):
            """Turn a JSON object into form fields: scalars as text, lists as repeated values, the rest dropped."""
            data = super().wrap_formdata(form, formdata)
            if data is not None and (request.form or request.files):
                return _plain_line_breaks(data)
            if data is None or not request.is_json:
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
