"""Review forms: inline comments, missed problems, the comment bank, and one RubricForm per statement of a set."""
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import AppForm
from .rubric import SCORES, criteria
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


# ---------------------------------------------------------------- the rubric of one statement in a set

class RubricRowForm(Form):
    """One rubric row: a score and an optional comment."""

    score = RadioField("Score", choices=list(SCORES), validators=[Optional()], validate_choice=False)
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])


DECISIONS = (("", "Decide later"), ("accept", "Accept"), ("return", "Return for revision"))


class RubricForm(Form):
    """One statement's review: its rubric rows (added per kind by rubric_form), overall comment and decision.

    A set's screen holds one RubricForm per statement, each with its own prefix, inside one page form
    (SetForm) that carries the CSRF token and the buttons."""

    overall_comment = TextAreaField("Overall comment to the learner", validators=[Optional(), Length(max=5000)])
    overall_bank = SelectField("Add a saved comment to the overall comment", coerce=_int_or_none,
                               validate_choice=False)
    save_overall = BooleanField("Save the overall comment to my comment bank")
    decision = RadioField("Decision", choices=list(DECISIONS), default="", validators=[Optional()],
                          validate_choice=False)

    def rows(self):
        """Return the rubric row subforms in the rubric's order."""
        return [self[criterion.id] for criterion in criteria(self.kind)]

    def rubric(self) -> dict:
        """Return the rubric as the review stores it: criterion id -> {score, comment}."""
        return {row.short_name: {"score": row.score.data, "comment": row.comment.data or ""} for row in self.rows()}


def rubric_form(kind: str, prefix: str, formdata=None, data: dict | None = None) -> RubricForm:
    """Return the RubricForm for a kind of statement: one row per criterion, then the overall comment."""
    attrs = {"kind": kind}
    for criterion in criteria(kind):
        attrs[criterion.id] = FormField(RubricRowForm, label=criterion.label, description=criterion.guide)
    form_class = type(f"RubricForm_{kind}", (RubricForm,), attrs)
    return form_class(formdata=formdata, data=data, prefix=prefix)


def review_data(review) -> dict:
    """Return a stored review as the RubricForm's starting data."""
    if review is None:
        return {}
    rubric = review.rubric or {}
    data = {"overall_comment": review.overall_comment or "", "decision": ""}
    for criterion_id, entry in rubric.items():
        data[criterion_id] = {"score": (entry or {}).get("score"), "comment": (entry or {}).get("comment") or ""}
    return data


class SetForm(AppForm):
    """The set screen's page form: it carries the CSRF token (the pressed button names the action)."""
