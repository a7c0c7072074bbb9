"""Forms for signing in and joining a cohort."""
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import AppForm
from .passwords import password_problems


class LoginForm(AppForm):
    """Email and password sign-in."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class RegisterForm(AppForm):
    """Create a learner account inside a cohort, using its join code."""

    join_code = StringField(
        "Cohort join code",
        validators=[DataRequired("Enter the join code your trainer gave you."), Length(max=16)],
        description="Your trainer gives you this code, for example K7Q2MX.",
    )
    display_name = StringField(
        "Your name", validators=[DataRequired("Enter your name as trainers should see it."), Length(max=120)]
    )
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@agency.org."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password."), Length(max=200)],
        description="At least 10 characters. A short sentence you will remember works well.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired("Type the password again."), EqualTo("password", "The two passwords do not match.")],
    )
    submit = SubmitField("Create account and join")

    def validate_password(self, field) -> None:
        """Apply the password rules and explain any that fail."""
        problems = password_problems(field.data or "", self.email.data or "")
        if problems:
            raise ValidationError(" ".join(problems))
