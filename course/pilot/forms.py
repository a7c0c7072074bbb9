"""Pilot forms: module feedback and the end-of-course evaluation."""
from __future__ import annotations

from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..forms import AppForm
from .objectives import OBJECTIVES, RECOMMEND_CHOICES

SCALE = [SelectChoice(n, str(n)) for n in range(1, 6)]


def _scale_field(label: str, message: str) -> RadioField:
    """Return a required 1-5 radio group."""
    return RadioField(label, choices=SCALE, coerce=int, validators=[InputRequired(message)])


class ModuleFeedbackForm(AppForm):
    """Rate a module for usefulness and clarity, or skip."""

    usefulness = _scale_field(
        "How useful was this module for your work?", "Choose a usefulness rating from 1 to 5, or skip."
    )
    clarity = _scale_field("How clear was this module?", "Choose a clarity rating from 1 to 5, or skip.")
    comment = TextAreaField(
        "Comment (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Shared with the pilot team without your name. "
                    "Please leave out anything that identifies you or a family.",
    )
    send = SubmitField("Send feedback")
    skip = SubmitField("Skip")


class EvaluationForm(AppForm):
    """The end-of-course evaluation; confidence fields are added per objective below."""

    usefulness = _scale_field(
        "Overall, how useful was the course for your work?", "Choose how useful the course was, from 1 to 5."
    )
    recommend = RadioField(
        "Would you recommend this course to a colleague?",
        choices=[SelectChoice(v, label) for v, label in RECOMMEND_CHOICES],
        validators=[InputRequired("Say whether you would recommend the course.")],
    )
    keep = TextAreaField("What should we keep?", validators=[Optional(), Length(max=3000)])
    change = TextAreaField("What should we change?", validators=[Optional(), Length(max=3000)])
    submit = SubmitField("Send evaluation")

    def confidence_fields(self):
        """Yield (number, objective text, before field, after field) for each objective."""
        for number, text in OBJECTIVES.items():
            yield number, text, self[f"before_{number}"], self[f"after_{number}"]

    def confidence(self) -> dict[int, tuple[int, int]]:
        """Return the confidence ratings as {objective: (before, after)}."""
        return {n: (self[f"before_{n}"].data, self[f"after_{n}"].data) for n in OBJECTIVES}


for _n in OBJECTIVES:
    setattr(
        EvaluationForm,
        f"before_{_n}",
        _scale_field("Before the course", f"Objective {_n}: choose your confidence before the course."),
    )
    setattr(EvaluationForm, f"after_{_n}", _scale_field("Now", f"Objective {_n}: choose your confidence now."))


class VerifyForm(AppForm):
    """Look up a certificate by its verification code."""

    class Meta:
        csrf = False  # a public GET lookup changes nothing

    code = StringField("Verification code", validators=[InputRequired("Enter the code printed on the certificate.")],
                       description="12 letters and digits, for example 7K3M-Q9TD-2XWB.")


class RevokeForm(AppForm):
    """Revoke a certificate: the reason is shown on the verification page and kept."""

    reason = TextAreaField(
        "Reason for revoking",
        validators=[InputRequired("Give the reason for revoking; it is shown on the verification page."),
                    Length(min=10, max=1000, message="Give the reason in 10 to 1,000 characters.")],
        description="Shown publicly on the verification page with the date. Describe what was wrong (for "
                    "example, attendance recorded in error), not the person.",
    )
