"""Attendance pages for a cohort's trainers: the overview, each day's register and the CSV export."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..cohorts.services import managed_cohort
from ..completion.services import hours_earned
from ..extensions import db
from ..models import Cohort
from ..models.attendance import ATTENDANCE_LABELS, AttendanceStatus
from ..names import Namer
from ..pilot.exports import csv_response
from ..pilot.services import certificate_for, format_code, issue_if_complete, latest_revoked, standing
from ..security import roles_required
from . import bp
from .forms import RegisterForm, entries_from
from .services import (
    DAYS,
    AttendanceError,
    attended_minutes,
    check_entry,
    day_date,
    day_minutes,
    day_summaries,
    is_classroom,
    records_for,
    save_day,
)


def _roster(cohort: Cohort, namer: Namer) -> list[tuple[str, object]]:
    """Return (label, learner) for the cohort's learners, named by the one name-masking service."""
    learners = [u for u in cohort.learners if u.role == "learner"]
    return [(namer.name(u, cohort), u) for u in sorted(learners, key=lambda u: namer.sort_key(u, cohort))]


@bp.route("/<int:cohort_id>/attendance")
@roles_required("trainer")
def overview(cohort_id: int):
    """Show both days' attendance for the cohort, each learner's hours so far and their certificate."""
    cohort = managed_cohort(cohort_id, current_user)
    namer = Namer()
    records = records_for(cohort)
    rows = []
    for label, learner in _roster(cohort, namer):
        cert = certificate_for(learner)
        rows.append({
            "label": label, "user": learner, "days": [records.get((learner.id, day)) for day in DAYS],
            "hours": hours_earned(learner), "cert": cert, "revoked": None if cert else latest_revoked(learner),
            "missing": None if cert else len(standing(learner).missing),
        })
    return render_template("attendance/overview.html", cohort=cohort, rows=rows, summaries=day_summaries(cohort),
                           classroom=is_classroom(cohort), hidden=namer.hides(cohort), format_code=format_code)


@bp.route("/<int:cohort_id>/attendance/day/<int:day>", methods=["GET", "POST"])
@roles_required("trainer")
def register(cohort_id: int, day: int):
    """Show a day's register, or save it: present, partial with minutes, or absent for each learner."""
    cohort = managed_cohort(cohort_id, current_user)
    if day not in DAYS:
        abort(404)
    namer = Namer()
    roster = _roster(cohort, namer)
    form = RegisterForm()
    records = records_for(cohort)
    sent = {user_id: {"status": r.status, "minutes": str(r.minutes) if r.minutes else ""}
            for (user_id, d), r in records.items() if d == day}
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        entries, sent = entries_from(request.form, [u.id for _, u in roster])
        for entry in entries:
            try:
                check_entry(entry, day)
            except AttendanceError as exc:
                errors[entry.user_id] = str(exc)
        if not errors:
            try:
                saved = save_day(cohort, day, entries, current_user._get_current_object())
            except AttendanceError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for(".register", cohort_id=cohort.id, day=day))
            for learner in saved:
                issue_if_complete(learner)  # the record may be the last requirement a learner was waiting for
            db.session.commit()
            flash(f"Day {day} attendance saved for {len(saved)} learner{'s' if len(saved) != 1 else ''}.",
                  "success")
            return redirect(url_for(".overview", cohort_id=cohort.id))
    status = 400 if errors else 200
    return render_template(
        "attendance/register.html", cohort=cohort, day=day, date=day_date(cohort, day), minutes=day_minutes(day),
        roster=roster, sent=sent, errors=errors, form=form, labels=ATTENDANCE_LABELS, statuses=list(AttendanceStatus),
        classroom=is_classroom(cohort), hidden=namer.hides(cohort),
    ), status


@bp.route("/<int:cohort_id>/attendance.csv")
@roles_required("trainer")
def attendance_csv(cohort_id: int):
    """Download the cohort's attendance: one row per learner, both days, minutes and who recorded them."""
    cohort = managed_cohort(cohort_id, current_user)
    namer = Namer()
    hidden = namer.hides(cohort)
    records = records_for(cohort)
    header = ["Learner"] + ([] if hidden else ["Email"])
    for day in DAYS:
        header += [f"Day {day} date", f"Day {day} attendance", f"Day {day} minutes", f"Day {day} recorded by",
                   f"Day {day} recorded at (UTC)"]
    header.append("Classroom minutes")
    rows = []
    for label, learner in _roster(cohort, namer):
        row = [label] + ([] if hidden else [namer.email(learner, cohort)])
        total = 0
        for day in DAYS:
            record = records.get((learner.id, day))
            date = day_date(cohort, day)
            minutes = attended_minutes(record, day)
            total += minutes
            row += [date.isoformat() if date else "", record.label if record else "Not recorded",
                    minutes if record else "", record.recorded_by.display_name if record and record.recorded_by
                    else "", record.recorded_at.strftime("%Y-%m-%d %H:%M") if record else ""]
        row.append(total)
        rows.append(row)
    slug = "".join(ch if ch.isalnum() else "-" for ch in cohort.name.lower()).strip("-") or "cohort"
    return csv_response(f"{slug}-attendance.csv", header, rows)

