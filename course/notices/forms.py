"""Notice forms: the email choice, and the button-only forms (they carry the CSRF token)."""
from wtforms import RadioField
from wtforms.validators import InputRequired

from ..forms import AppForm
from ..models.notices import EMAIL_CHOICES
from .services import EMAIL_LABELS


class EmailChoiceForm(AppForm):
    """How the learner wants to hear about notices by email."""

    email = RadioField("Email about notices", choices=[(c, EMAIL_LABELS[c]) for c in EMAIL_CHOICES],
                       validators=[InputRequired("Choose how you want to hear about notices.")])


class ButtonForm(AppForm):
    """A form that is only a button."""
