"""The drill rewrite form."""
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired

from ..forms import AppForm, GradableLength


class RewriteForm(AppForm):
    """One rewrite of a drill sentence."""

    text = TextAreaField("Your rewrite", validators=[
        DataRequired("Write your version of the sentence first."),
        GradableLength("one or two sentences is enough"),
    ], description="Use the names from the case. Never type real case details.")
    submit = SubmitField("Check my rewrite")
