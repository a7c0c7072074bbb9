"""Forms for the exercises: the mapping board, a statement draft, the set submission, the practice plans."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..forms import AppForm, GradableLength
from ..network_guidance import CIRCLE_LABELS, CIRCLES, FIT_LABELS, FITS
from ..numbers import plain_int
from .practice import HOUSES, MAX_FIELD_CHARS


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


# ---------------------------------------------------------------- the network and child-interview exercises

class PracticeForm(AppForm):
    """The parts every practice plan has: the revision it was based on, and Save or Check."""

    revision = HiddenField(default="0")
    check = SubmitField("Save and check")
    save = SubmitField("Save")

    def validate_revision(self, field) -> None:
        """Require a whole-number revision."""
        value = str(field.data or "0")
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            raise ValidationError("Reload the page and try again.")

    @property
    def revision_number(self) -> int:
        """Return the revision as an int."""
        return int(self.revision.data or 0)


def circle_field(index: int) -> str:
    """Return the form field name for the circle of the index-th person to place."""
    return f"circle_{index}"


def fit_field(index: int) -> str:
    """Return the form field name for the fit of the index-th network member."""
    return f"fit_{index}"


def network_form_class(people: list, members: list) -> type[PracticeForm]:
    """Build the network form: a circle per person to place, a fit per network member, and the orientation."""

    class NetworkForm(PracticeForm):
        """Place the people in the circles, judge each network member, and draft the first orientation."""

        orientation = TextAreaField(
            "Your first orientation", render_kw={"rows": 9},
            validators=[Length(max=MAX_FIELD_CHARS,
                               message=f"Keep the orientation under {MAX_FIELD_CHARS:,} characters: a few "
                                       "short paragraphs is enough.")],
        )

    circles = [SelectChoice("", "Not placed yet")] + [SelectChoice(c, CIRCLE_LABELS[c]) for c in CIRCLES]
    for index, person in enumerate(people):
        setattr(NetworkForm, circle_field(index),
                SelectField(f"Circle for {person.name}", choices=circles, validators=[Optional()]))
    fits = [SelectChoice("", "Not decided yet")] + [SelectChoice(f, FIT_LABELS[f]) for f in FITS]
    for index, person in enumerate(members):
        setattr(NetworkForm, fit_field(index),
                SelectField(f"Would {person.name} make a good network member?", choices=fits,
                            validators=[Optional()]))
    return NetworkForm


class InterviewForm(PracticeForm):
    """A planned Three Houses or Safety House conversation with one child."""

    house = RadioField("Which tool will you use?", choices=list(HOUSES.items()), default="three_houses",
                       validators=[InputRequired("Choose Three Houses or the Safety House.")])
    opening = TextAreaField(
        "Your opening", validators=[Length(max=MAX_FIELD_CHARS)], render_kw={"rows": 3},
        description="Who you are, what you will do together, and that there are no wrong answers.")
    questions = TextAreaField(
        "Your questions, one per line", validators=[Length(max=MAX_FIELD_CHARS)], render_kw={"rows": 8},
        description="Two or three questions for each house, or for each part of the Safety House.")
    sharing = TextAreaField(
        "Sharing the houses with the parents", validators=[Length(max=MAX_FIELD_CHARS)], render_kw={"rows": 3},
        description="How you will ask the child first, and what you will show or tell the parents.")
