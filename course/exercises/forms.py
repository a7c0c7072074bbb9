"""Forms for the exercises: the mapping board, a statement draft, and the set submission."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ..forms import AppForm, GradableLength
from ..numbers import plain_int


def fact_field_name(fact_id: str) -> str:
    """Return the form field name for a fact's column choice."""
    return f"fact_{fact_id}"


class BoardForm(AppForm):
    """The mapping board's plain form: the revision it was based on (board.state_from_form reads the rest)."""

    revision = HiddenField(default="0")
    base = HiddenField(default="")  # the saved board this page showed, so a conflict can keep both sides

    @property
    def revision_number(self) -> int:
        """Return the revision as an int (0, which a saved board never has, when it cannot be read)."""
        return plain_int(self.revision.data) or 0


class StatementForm(AppForm):
    """A draft statement, with the revision it was based on (for the no-JavaScript form)."""

    text = TextAreaField("Your draft", validators=[GradableLength()])
    revision = HiddenField(default="0")
    no_harm = BooleanField("No harm statement is due for this family")
    check = SubmitField("Check")
    save = SubmitField("Save draft")

    def validate_revision(self, field) -> None:
        """Require a whole-number revision."""
        value = str(field.data or "0")
        if not (value.isascii() and value.isdigit() and len(value) <= 9):  # "²".isdigit() is True too
            raise ValidationError("Reload the page and try again.")

    @property
    def revision_number(self) -> int:
        """Return the revision as an int."""
        return int(self.revision.data or 0)


class SubmitSetForm(AppForm):
    """Confirm submitting every drafted statement (revisions arrive as rev_<work id> fields)."""

    confirm = SubmitField("Submit for trainer review")


class HistoryDiffForm(AppForm):
    """Choose two versions to compare (sent with GET, so no CSRF token)."""

    class Meta:
        csrf = False

    a = SelectField("Older version", coerce=int, validators=[Optional()])
    b = SelectField("Newer version", coerce=int, validators=[Optional()])
