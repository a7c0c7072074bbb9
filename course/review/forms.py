"""Review forms. The rubric's rows depend on the kind, so the review view reads them from the request."""
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import AppForm
from .services import MISSED_CATEGORIES


class ActionForm(AppForm):
    """A button-only form: claim, release, delete, reveal (it carries the CSRF token)."""


def _int_or_none(value):
    """Return the value as an int, or None when empty or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CommentForm(AppForm):
    """An inline comment on selected words (the script fills start and end; without it, quote the words)."""

    quote = StringField(
        "Words to comment on",
        description="Select words in the statement, or type them here exactly as written.",
        validators=[Optional(), Length(max=1000)],
    )
    occurrence = IntegerField("Which time these words appear", default=1, validators=[Optional(), NumberRange(1, 50)])
    start = HiddenField(filters=[_int_or_none])
    end = HiddenField(filters=[_int_or_none])
    body = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    bank_entry = SelectField("Or use a saved comment", coerce=_int_or_none, validate_choice=False)
    save_to_bank = BooleanField("Save this comment to my comment bank")


class MissedForm(AppForm):
    """A problem the grader missed."""

    category = SelectField(
        "What did the grader miss?",
        choices=[SelectChoice(v, label) for v, label in MISSED_CATEGORIES],
        validators=[DataRequired()],
    )
    quote = StringField("Words it is about (optional)", validators=[Optional(), Length(max=1000)])
    note = TextAreaField("Note for the grader's authors (optional)", validators=[Optional(), Length(max=2000)])
    start = HiddenField(filters=[_int_or_none])
    end = HiddenField(filters=[_int_or_none])


class BankForm(AppForm):
    """A comment to keep in the trainer's bank."""

    text = TextAreaField(
        "Comment to save", validators=[DataRequired("Write the comment you want to save."), Length(max=2000)]
    )
