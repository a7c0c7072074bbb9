"""Forms for signing in, joining a cohort, and looking after a password."""
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import AppForm
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problems

PASSWORD_HINT = (f"At least {MIN_LENGTH} characters. Three or four unrelated words you will remember work well; "
                 "common passwords are refused.")


class LoginForm(AppForm):
    """Email and password sign-in."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class NewPasswordForm(AppForm):
    """A new password, typed twice, checked against the password rules."""

    password = PasswordField("New password", validators=[DataRequired("Choose a password."), Length(max=MAX_LENGTH)],
                             description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the new password", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords do not match.")])

    rules_email = ""  # the account's email, which the password must not contain (set by the view)

    def email_for_rules(self) -> str:
        """Return the email the password must not contain."""
        return self.rules_email

    def validate_password(self, field) -> None:
        """Apply the password rules and explain any that fail."""
        problems = password_problems(field.data or "", self.email_for_rules())
        if problems:
            raise ValidationError(" ".join(problems))


class RegisterForm(NewPasswordForm):
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
    password = PasswordField("Password", validators=[DataRequired("Choose a password."), Length(max=MAX_LENGTH)],
                             description=PASSWORD_HINT)
    confirm = PasswordField("Repeat password", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords do not match.")])
    submit = SubmitField("Create account and join")

    def email_for_rules(self) -> str:
        """The password must not contain the email's name."""
        return self.email.data or ""


class ChangePasswordForm(NewPasswordForm):
    """Change the password, proving the current one first."""

    current = PasswordField("Current password", validators=[DataRequired("Enter your current password."),
                                                            Length(max=MAX_LENGTH)])
    submit = SubmitField("Change password")


class ResetRequestForm(AppForm):
    """Ask for a password reset link."""

    email = EmailField("Email", validators=[DataRequired("Enter the email you sign in with."),
                                            Email("Enter an email address like name@agency.org."), Length(max=254)])
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(NewPasswordForm):
    """Choose a new password from a reset link."""

    submit = SubmitField("Save the new password")


class ButtonForm(AppForm):
    """A form that is only a button (its CSRF token protects it)."""
