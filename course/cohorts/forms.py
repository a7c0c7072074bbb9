"""Cohort forms."""
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import AppForm
from ..timezones import DEFAULT_ZONE, ZONE_CHOICES


class CohortForm(AppForm):
    """Create or edit a cohort."""

    name = StringField(
        "Cohort name",
        validators=[DataRequired("Give the cohort a name, for example 'Fresno, March 2027'."), Length(max=120)],
    )
    day1_date = DateField("Day 1 date", validators=[Optional()])
    day2_date = DateField("Day 2 date", validators=[Optional()])
    time_zone = SelectField("Time zone", choices=[SelectChoice(key, label) for key, label in ZONE_CHOICES],
                            default=DEFAULT_ZONE,
                            description="Every time shown about this cohort is in this zone, with the zone named.")
    anonymous_review = BooleanField("Review submissions anonymously (show 'Learner 7' instead of names)")
    submit = SubmitField("Save cohort")

    def validate_day2_date(self, field) -> None:
        """Day 2 cannot come before Day 1."""
        if field.data and self.day1_date.data and field.data < self.day1_date.data:
            raise ValidationError("Day 2 must be on or after Day 1.")


class TrainerForm(AppForm):
    """Add a co-trainer by the email of their trainer account."""

    email = StringField(
        "Co-trainer's email", validators=[DataRequired("Enter the email of a trainer account."), Length(max=254)]
    )


class MoveForm(AppForm):
    """Move a learner to another cohort the trainer leads."""

    target = SelectField("Move to", coerce=int)
