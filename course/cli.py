"""Command-line tools: create-admin, content check, demo and regrade-growth."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, pass_script_info, with_appcontext


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.option("--name", "display_name", prompt="Name", help="The admin's display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters.")
@with_appcontext
def create_admin_command(email: str, display_name: str, password: str) -> None:
    """Create the first admin account (admins then create trainers in the app)."""
    from .auth.passwords import password_problems
    from .auth.services import create_user, find_user
    from .extensions import db
    from .models import Role

    if find_user(email):
        raise click.ClickException(f"An account for {email} already exists.")
    problems = password_problems(password, email)
    if problems:
        raise click.ClickException(" ".join(problems))
    create_user(email, display_name, password, Role.ADMIN)
    db.session.commit()
    click.echo(f"Admin {email} created. Sign in at /auth/login.")


@click.group("content")
def content_group() -> None:
    """Work with course content: modules, quizzes, glossary, vignettes and drills."""


@content_group.command("check")
@click.option("--content-dir", type=click.Path(file_okay=False), help="Content folder (default: the app's).")
@click.option("--vignettes-dir", type=click.Path(file_okay=False), help="Vignettes folder (default: the app's).")
@click.option("--drills-dir", type=click.Path(file_okay=False), help="Drills folder (default: the app's).")
@click.option("--stats", is_flag=True, help="Also print each knowledge check's item-bank statistics.")
def content_check_command(content_dir: str | None, vignettes_dir: str | None, drills_dir: str | None,
                          stats: bool = False) -> None:
    """Validate every content file; print each problem as file:line: message; exit 1 if any (warnings do not)."""
    from .config import DEFAULTS
    from .content_check import run_checks

    settings = dict(DEFAULTS)
    if current_app:
        settings.update({k: current_app.config[k] for k in ("CONTENT_DIR", "VIGNETTES_DIR", "DRILLS_DIR")})
    for key, value in (("CONTENT_DIR", content_dir), ("VIGNETTES_DIR", vignettes_dir), ("DRILLS_DIR", drills_dir)):
        if value:
            settings[key] = value
    results = run_checks(settings)
    total = warnings = 0
    for problems in results.values():
        for problem in problems:
            click.echo(str(problem))
        total += sum(1 for p in problems if not p.warning)
        warnings += sum(1 for p in problems if p.warning)
    if stats:
        from .quizzes.bank import report_for

        click.echo(report_for(settings["CONTENT_DIR"]))
    counts = {name: sum(1 for p in found if not p.warning) for name, found in results.items()}
    summary = ", ".join(f"{name}: {n} problem{'s' if n != 1 else ''}" for name, n in counts.items())
    if warnings:
        summary += f"; {warnings} warning{'s' if warnings != 1 else ''}"
    if total:
        click.echo(f"{total} problem{'s' if total != 1 else ''} found ({summary}).", err=True)
        sys.exit(1)
    click.echo(f"All content is valid ({summary}).")


@content_group.command("families")
@click.option("--write", is_flag=True, help="Rewrite the table in docs/families.md instead of printing it.")
def content_families_command(write: bool) -> None:
    """Print the table of families, caregivers of concern, genders, cultural groups and worries."""
    from .vignettes import FAMILIES_DOC, all_vignettes, families_table, with_families_table

    table = families_table(all_vignettes())
    if not write:
        click.echo(table)
        return
    FAMILIES_DOC.write_text(with_families_table(FAMILIES_DOC.read_text(encoding="utf-8"), table), encoding="utf-8")
    click.echo(f"Wrote the families table to {FAMILIES_DOC}.")


def ensure_secret_key(instance_path: str) -> bool:
    """Write a random SECRET_KEY into instance/config.py unless one is set; return True if written."""
    import os

    if os.environ.get("SECRET_KEY") or os.environ.get("SOP_SECRET_KEY") or os.environ.get("FLASK_SECRET_KEY"):
        return False
    config = Path(instance_path) / "config.py"
    if config.exists() and "SECRET_KEY" in config.read_text():
        return False
    config.parent.mkdir(parents=True, exist_ok=True)
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f"# Written by `flask demo`; keep it private.\nSECRET_KEY = {secrets.token_hex(32)!r}\n")
    return True


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--no-serve", is_flag=True, help="Set up the database and demo data, then exit.")
@pass_script_info
def demo_command(info: ScriptInfo, port: int, host: str, no_serve: bool) -> None:
    """Create or upgrade the database, seed the demo cohort, print sign-ins, and serve."""
    from . import instance_path

    if ensure_secret_key(instance_path()):
        click.echo(f"Wrote a new SECRET_KEY to {instance_path()}/config.py")
    app: Flask = info.load_app()
    with app.app_context():
        from flask_migrate import upgrade

        from .demo import seed_demo

        upgrade()
        details = seed_demo()
    click.echo(details)
    if no_serve:
        return
    app.config["SESSION_COOKIE_SECURE"] = False  # the demo is plain http on this machine
    app.config["REMEMBER_COOKIE_SECURE"] = False
    click.echo(f"Serving SOP Foundations on http://{host}:{port}  (Ctrl+C to stop)")
    from werkzeug.serving import run_simple

    # app.run() refuses to block inside the flask CLI, so serve with Werkzeug directly.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.command("regrade-growth")
@click.option("--batch", default=25, show_default=True, type=click.IntRange(1, 1000),
              help="Versions graded, then committed, per batch.")
@click.option("--limit", type=click.IntRange(1), help="Stop after this many versions (to fit a cron slot).")
@click.option("--retry-refused", is_flag=True, help="Also grade again the texts the grader refused before.")
@with_appcontext
def regrade_growth_command(batch: int, limit: int | None, retry_refused: bool) -> None:
    """Grade kept drafts again with the current grader, so growth compares one grader version; safe to re-run."""
    from sqlalchemy.exc import IntegrityError

    from .drills.regrade import current_grader, pending, regrade_version, waiting_versions
    from .extensions import db
    from .grading import GradingUnavailable
    from .models import WorkVersion

    todo = [v.id for v in pending(limit, retry_refused)]  # read once: each batch below is committed on its own
    graded = refused = 0
    for start in range(0, len(todo), batch):
        try:
            versions = [db.session.get(WorkVersion, vid) for vid in todo[start:start + batch]]
            rows = [regrade_version(v) for v in versions if v is not None]  # None: deleted since the list was read
        except GradingUnavailable as exc:
            db.session.rollback()
            raise click.ClickException(f"{exc} The grader could not run, so nothing more was graded; the "
                                       f"{graded + refused} graded before are kept. Run this again.") from exc
        try:
            db.session.commit()  # a stopped run resumes where it left off: done versions are not pending any more
        except IntegrityError:  # a second run (an overlapping cron job) stored this batch first: keep its rows
            db.session.rollback()
            continue
        graded += sum(1 for row in rows if row.summary is not None)
        refused += sum(1 for row in rows if row.summary is None)
    waiting, still_refused = waiting_versions()
    click.echo(f"Grader {current_grader()}: graded {graded} version(s) again, {refused} refused by the grader. "
               f"Still waiting: {waiting}; refused in all: {still_refused}"
               + (" (run again with --retry-refused after fixing the cause)." if still_refused else "."))


@click.command("followup-backfill")
@click.option("--site", help="The address learners use (e.g. https://sop.example.org); default: SITE_URL.")
@with_appcontext
def followup_backfill_command(site: str | None) -> None:
    """Schedule the 30-day follow-up mail for certificates issued before it was scheduled; safe to re-run."""
    from .extensions import db
    from .followup.services import backfill_invitations
    from .notices.services import command_site_url

    try:
        site = command_site_url(site)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    scheduled = backfill_invitations(site)
    db.session.commit()
    click.echo(f"Scheduled {scheduled} follow-up invitation(s); each is sent 30 days after its certificate "
               "(at once when that day has passed), and skipped if the learner has answered by then.")


def register_cli(app: Flask) -> None:
    """Add the commands to `flask --app wsgi ...`."""
    app.cli.add_command(create_admin_command)
    app.cli.add_command(content_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(regrade_growth_command)
    app.cli.add_command(followup_backfill_command)
