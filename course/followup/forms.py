"""The follow-up form: how often each tool was used, what got in the way, and one statement rewritten."""
from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import AppForm, GradableLength
from .services import FREQUENCIES, OBSTACLES, TOOLS, kind_choices


def _choices(pairs, blank: bool = True) -> list[SelectChoice]:
    """Return (value, label) pairs as choices, after a "Choose one" placeholder for a select."""
    return [*([SelectChoice("", "Choose one")] if blank else []), *(SelectChoice(k, v) for k, v in pairs)]


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FollowUpForm(AppForm):
    """The follow-up; one select per tool is added below."""

    obstacles = CheckboxesField("What got in the way? (choose any)", choices=_choices(OBSTACLES.items(), blank=False),
                                validators=[Optional()])
    obstacle_note = TextAreaField("Anything else that got in the way (optional)", validators=[
        Optional(), Length(max=1000, message="Keep this under 1,000 characters.")],
        description="Names are replaced with placeholders before this is kept.")
    statement_kind = SelectField("Which kind of statement?", choices=_choices(kind_choices()),
                                 validators=[DataRequired("Choose the kind of statement you rewrote.")])
    statement = TextAreaField("One statement from your practice, written as you would write it now", validators=[
        DataRequired("Write the statement, using roles instead of names."),
        GradableLength("one statement is enough")],
        description="Fictionalise it: write roles (“the mother”, “the boy, 6”) instead of names, and leave out "
                    "addresses, phone numbers, dates of birth and case numbers.")
    preview = SubmitField("Preview what will be kept")
    save = SubmitField("Save my answers")

    def tool_fields(self):
        """Yield the per-tool frequency fields in the course's order."""
        return [self[f"tool_{tool}"] for tool in TOOLS]

    def tool_use(self) -> dict[str, str]:
        """Return the frequency chosen for each tool."""
        return {tool: self[f"tool_{tool}"].data for tool in TOOLS}


for _tool, _label in TOOLS.items():
    setattr(FollowUpForm, f"tool_{_tool}", SelectField(
        _label, choices=_choices(FREQUENCIES.items()),
        validators=[InputRequired(f"Say how often you used: {_label[0].lower()}{_label[1:]}.")]))
