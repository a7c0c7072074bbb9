"""Demo data: a cohort with a trainer, two learners and six pilot learners. Safe to run again: it changes nothing."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .auth.services import create_user, enroll, find_user
from .database import utcnow
from .extensions import db
from .models import Cohort, Role

DEMO_COHORT = "Demo cohort"
DEMO_JOIN_CODE = "DEMO26"
DEMO_PEOPLE = (
    ("trainer@example.org", "Dana Trainer", Role.TRAINER),
    ("learner@example.org", "Alex Learner", Role.LEARNER),
    ("learner2@example.org", "Sam Learner", Role.LEARNER),
)


def demo_password() -> str:
    """Return the demo password, generating it once into the instance folder."""
    path = Path(current_app.instance_path) / "demo_password.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = "sop-" + secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    return password


def seed_demo() -> str:
    """Create the demo cohort and accounts if missing; return the sign-in details to print."""
    password = demo_password()
    cohort = db.session.scalar(select(Cohort).where(Cohort.join_code == DEMO_JOIN_CODE))
    if cohort is None:
        cohort = Cohort(name=DEMO_COHORT, join_code=DEMO_JOIN_CODE)
        db.session.add(cohort)
    cohort.join_code_issued_at = utcnow()  # the demo's join code keeps working each time the demo is run
    for email, name, role in DEMO_PEOPLE:
        user = find_user(email) or create_user(email, name, password, role)
        if role is Role.TRAINER:
            db.session.flush()  # a new trainer needs an id to be recorded as the cohort's creator
            cohort.created_by_id = cohort.created_by_id or user.id
            if user not in cohort.trainers:
                cohort.trainers.append(user)
        else:
            enroll(user, cohort)
    db.session.commit()
    extra = _run_feature_seeders(cohort)
    lines = [
        "",
        "SOP Foundations demo is ready.",
        f"  Cohort:   {cohort.name} (join code {cohort.join_code})",
        *(f"  {role.value.title():8}  {email}" for email, _, role in DEMO_PEOPLE),
        f"  Password for all demo accounts: {password}",
        *extra,
        "",
    ]
    return "\n".join(lines)


def _run_feature_seeders(cohort: Cohort) -> list[str]:
    """Run each feature's demo seeder; each returns lines to print."""
    from . import demo_progress
    from .exercises import demo as exercises_demo
    from .followup import demo as followup_demo
    from .pilot import demo as pilot_demo
    from .review import demo as review_demo

    lines = []
    for module in (exercises_demo, review_demo, pilot_demo, followup_demo, demo_progress):
        lines.extend(module.seed(cohort) or [])
        db.session.commit()
    return lines
