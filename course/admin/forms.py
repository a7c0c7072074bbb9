"""Admin forms."""
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from ..auth.passwords import password_problems
from ..forms import AppForm


class NewStaffForm(AppForm):
    """Create a trainer or admin account."""

    display_name = StringField("Name", validators=[DataRequired("Enter the person's name."), Length(max=120)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter an email address."),
            Email("Enter an email address like name@agency.org."),
            Length(max=254),
        ],
    )
    role = SelectField(
        "Role", choices=[SelectChoice("trainer", "Trainer"), SelectChoice("admin", "Admin")], default="trainer"
    )
    password = PasswordField(
        "Temporary password",
        validators=[DataRequired("Set a temporary password."), Length(max=200)],
        description="Share it with the person privately; at least 10 characters.",
    )
    submit = SubmitField("Create account")

    def validate_password(self, field) -> None:
        """Apply the password rules."""
        problems = password_problems(field.data or "", self.email.data or "")
        if problems:
            raise ValidationError(" ".join(problems))
