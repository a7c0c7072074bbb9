"""CSV exports, with every text cell guarded against spreadsheet formula injection."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, Response, current_app, url_for

from ..names import Namer
from ..timezones import to_zone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    """Return a cell for CSV: text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows) -> Response:
    """Return a CSV download of the rows, each cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",  # the BOM lets Excel read UTF-8
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _number(value) -> object:
    """Return a mean for a CSV cell (blank when hidden or empty)."""
    return "" if value is None else value


def module_rows(report, hidden_note: str):
    """Yield one CSV row per module."""
    for r in report.modules:
        if r.hidden:
            yield [r.module_id, r.title, r.n, "", "", hidden_note]
        else:
            yield [r.module_id, r.title, r.n, _number(r.usefulness), _number(r.clarity), ""]


def objective_rows(report, hidden_note: str):
    """Yield one CSV row per objective."""
    if report.evaluation.hidden:
        yield ["", "All objectives", report.evaluation.n, "", "", "", hidden_note]
        return
    for o in report.evaluation.objectives:
        yield [o.number, o.text, o.n, _number(o.before), _number(o.after), _number(o.gain), ""]


def funnel_rows(report):
    """Yield one CSV row per funnel stage."""
    joined = report.funnel[0][2] if report.funnel else 0
    for key, label, count in report.funnel:
        yield [key, label, count, round(100 * count / joined, 1) if joined else ""]


def comment_rows(report, hidden_note: str):
    """Yield anonymous comments (already in text-hash order), by where they were given."""
    for r in report.modules:
        if r.hidden:
            continue
        for text in r.comments:
            yield [f"Module: {r.title}", text]
    if not report.evaluation.hidden:
        for text in report.evaluation.keep:
            yield ["Course: what to keep", text]
        for text in report.evaluation.change:
            yield ["Course: what to change", text]


def completion_rows(certificates, namer: Namer):
    """Yield one CSV row per certificate for agency training records.

    In an anonymous cohort (names not revealed) the row has the learner's pseudonym and no email,
    code or verification link, since the public verification page shows the certificate's name.
    """
    for cert in certificates:
        user = cert.user
        cohort = user.cohort
        where = cohort.name if cohort else ""
        issued = to_zone(cert.issued_at, cert).date().isoformat()  # the date printed on it
        revoked = [to_zone(cert.revoked_at, cert).date().isoformat(), cert.revoke_reason] if cert.revoked else ["", ""]
        if namer.hides(cohort):
            yield [namer.name(user, cohort), "", where, cert.course, issued, float(cert.hours), "", "", *revoked]
            continue
        yield [cert.name, namer.email(user, cohort), where, cert.course, issued, float(cert.hours), cert.code,
               url_for("pilot.verify", code=cert.code, _external=True), *revoked]


TABLES = {
    "modules": (["module_id", "module", "responses", "mean_usefulness", "mean_clarity", "note"], module_rows, True),
    "objectives": (
        ["objective", "text", "responses", "mean_before", "mean_after", "mean_gain", "note"],
        objective_rows,
        True,
    ),
    "funnel": (["stage", "label", "learners", "percent_of_joined"], funnel_rows, False),
    "comments": (["where", "comment"], comment_rows, True),
}


@dataclass(frozen=True)
class SectionTable:
    """A CSV table a feature package adds to the report (growth evidence, use in practice): rows from the filter."""

    label: str  # the download link's words
    header: list[str]
    rows: Callable[[object, str], Iterable[list]]  # (report filter, hidden note) -> rows


def register_table(app: Flask, name: str, table: SectionTable) -> None:
    """Offer a feature's section of the report as /pilot/report/<name>.csv, linked from the report page.

    Kept on the app (set once at start-up, the same in every worker), so the pilot package needs no import of
    the features whose sections it shows.
    """
    app.extensions.setdefault("pilot_tables", {})[name] = table


def section_tables() -> dict[str, SectionTable]:
    """Return the CSV tables feature packages added to this app's report."""
    return current_app.extensions.get("pilot_tables", {})


COMPLETION_HEADER = ["name", "email", "cohort", "course", "completed_on", "hours", "verification_code", "verify_url",
                     "revoked_on", "revoke_reason"]
