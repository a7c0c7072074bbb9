"""The drill rewrite form."""
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import AppForm


class RewriteForm(AppForm):
    """One rewrite of a drill sentence."""

    text = TextAreaField("Your rewrite", validators=[
        DataRequired("Write your version of the sentence first."),
        Length(max=2000, message="Keep it under 2,000 characters: one or two sentences is enough."),
    ], description="Use the names from the case. Never type real case details.")
    submit = SubmitField("Check my rewrite")
