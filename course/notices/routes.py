"""The notices page, opening a notice, marking notices read, and the email choice."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..mail import mail_configured
from ..security import is_safe_next
from ..words import pluralise
from . import bp
from .forms import ButtonForm, EmailChoiceForm
from .services import (
    KINDS,
    email_choice,
    mark_all_read,
    mark_read,
    notice_or_none,
    notices_for,
    set_email_choice,
    unread_count as count_unread,
)


@bp.app_context_processor
def bell():
    """Give every page the signed-in user's unread count for the bell in the header."""
    def unread_notices() -> int:
        """Return the unread count (only when a page asks for it)."""
        return count_unread(current_user.id) if current_user.is_authenticated else 0

    return {"unread_notices": unread_notices}


def _page(form: EmailChoiceForm, status: int = 200):
    """Render the notices list with the email form."""
    return render_template("notices/index.html", notices=notices_for(current_user.id), kinds=KINDS, form=form,
                           button=ButtonForm(), mail_on=mail_configured()), status


@bp.route("/")
@login_required
def index():
    """List the user's notices, newest first, with how they reach them by email."""
    form = EmailChoiceForm(data={"email": email_choice(current_user.id)})
    return _page(form)


@bp.route("/<int:notice_id>/open", methods=["POST"])
@login_required
def open_notice(notice_id: int):
    """Mark the notice read and go to what it is about."""
    notice = notice_or_none(current_user.id, notice_id)
    if notice is None:
        flash("That notice is not in your list any more. Here are the ones you have.", "error")
        return redirect(url_for(".index"))
    if ButtonForm().validate_on_submit():
        mark_read(notice)
        db.session.commit()
    return redirect(notice.url if is_safe_next(notice.url) else url_for(".index"))


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    """Mark every notice read."""
    if ButtonForm().validate_on_submit():
        count = mark_all_read(current_user.id)
        db.session.commit()
        flash(f"Marked {pluralise(count, 'notice')} as read." if count else "Every notice was already read.",
              "success")
    return redirect(url_for(".index"))


@bp.route("/email", methods=["POST"])
@login_required
def email():
    """Save how the user wants notices by email."""
    form = EmailChoiceForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    set_email_choice(current_user, form.email.data)
    db.session.commit()
    flash("Saved. " + ("Notices still appear here as well." if mail_configured() else
                       "This site sends no email yet, so notices appear here only."), "success")
    return redirect(url_for(".index"))
