"""Classroom forms: starting a session and typing a code."""
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from ..forms import AppForm


class StartSessionForm(AppForm):
    """Start a live session for one of the trainer's cohorts."""

    cohort_id = SelectField("Cohort", coerce=int, validators=[DataRequired("Choose a cohort.")])
    day = SelectField("Course day", coerce=int, choices=[SelectChoice(1, "Day 1"), SelectChoice(2, "Day 2")])
    module_id = SelectField("First module on the screen")
    day_start = StringField("Class starts at", default="09:00", description="24-hour clock, for the agenda's times.",
                            validators=[Regexp(r"^\d{1,2}:\d{2}$", message="Write the time like 09:00.")])
    submit = SubmitField("Start session")


class CodeForm(AppForm):
    """Type the six-character code shown by the trainer."""

    code = StringField(
        "Code",
        validators=[
            DataRequired("Type the code."),
            Length(min=4, max=12),
            Regexp(r"^[A-Za-z0-9 -]+$", message="Use the letters and digits of the code."),
        ],
        description="Six letters and digits, for example K7P2QX.",
    )
    submit = SubmitField("Join")


class JoinLiveForm(AppForm):
    """Join a live session from a phone: the live code, and a name only if the learner wants one."""

    code = StringField(
        "Live code",
        validators=[
            DataRequired("Type the code shown on the classroom screen."),
            Length(min=4, max=12, message="The code has six letters and digits."),
            Regexp(r"^[A-Za-z0-9 -]+$", message="Use the letters and digits of the code."),
        ],
        description="Six letters and digits from the classroom screen, for example K7P2QX.",
    )
    name = StringField(
        "Your name (optional)",
        validators=[Length(max=40, message="Keep the name under 40 characters.")],
        description="Leave it blank to stay anonymous. Names are never shown on the classroom screen.",
    )
    submit = SubmitField("Join")


class PresentingForm(AppForm):
    """Turn presenting on or off: while on, names are hidden on every page this sign-in opens."""
