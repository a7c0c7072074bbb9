"""Route-by-role matrix, generated from the app's URL map.

Every endpoint must be classified below: a new route fails `test_every_route_is_classified`
until someone decides who may use it. Then each route is requested by six roles (anonymous,
the learner who owns the objects, another learner, a trainer of another cohort, the cohort's
trainer, an admin) and any role outside the allowed set must be refused: 401, 403, 404, 410,
or a redirect to sign-in. An unexpected 200 (or a successful POST) fails. No role may get a 500."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from course.database import utcnow
from course.extensions import db
from course.models import Cohort, MappingAttempt, User, Work, WorkVersion
from tests.conftest import PASSWORD, Factory, make_app

ROLES = ("anonymous", "learner", "other_learner", "other_trainer", "trainer", "admin")
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = {"other_trainer", "trainer", "admin"}  # any trainer (each sees only their own cohorts' data)
COHORT_STAFF = {"trainer", "admin"}  # the cohort's own trainer, or an admin
LEARNERS = {"learner", "other_learner"}

# endpoint -> roles that may use it with the world's objects in the URL
ACCESS: dict[str, set[str]] = {
    "static": EVERYONE,
    "curriculum.home": EVERYONE,
    "auth.login": EVERYONE,
    "auth.register": EVERYONE,
    "auth.join": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.logout_everywhere": SIGNED_IN,
    "auth.account": SIGNED_IN,  # the user's own account: password change, devices
    "auth.reset_request": EVERYONE,
    "auth.reset_password": EVERYONE,  # only a valid one-time token opens the form
    "auth.verify_pending": SIGNED_IN,
    "auth.verify_resend": SIGNED_IN,
    "auth.verify_email": EVERYONE,  # only a valid one-time token confirms anything
    "health.healthz": EVERYONE,
    "pilot.verify_lookup": EVERYONE,
    "pilot.verify": EVERYONE,  # public by design: confirms a certificate, nothing else
    "classroom.screen_enter": EVERYONE,  # the room computer types the secret screen code
    "classroom.screen": EVERYONE,
    "classroom.screen_poll": EVERYONE,
    "classroom.screen_control": EVERYONE,
    # phones join a live session with its code only; each then sees only its own participant's work
    "live.enter": EVERYONE,
    "live.room": EVERYONE,
    "live.room_poll": EVERYONE,
    "live.respond": EVERYONE,
    "live.game_join": EVERYONE,
    "live.game_answer": EVERYONE,
    # every signed-in user, each seeing only their own data
    "curriculum.module": SIGNED_IN,
    "curriculum.complete": SIGNED_IN,
    "curriculum.position": SIGNED_IN,
    "api.grade": SIGNED_IN,
    "exercises.index": SIGNED_IN,
    "exercises.case": SIGNED_IN,
    "exercises.mapping": SIGNED_IN,
    "exercises.network": SIGNED_IN,
    "exercises.child_interview": SIGNED_IN,
    "exercises.statement": SIGNED_IN,
    "exercises.autosave": SIGNED_IN,
    "exercises.check": SIGNED_IN,
    "exercises.history": {"learner"},  # the URL names the learner's own existing work
    "exercises.version": {"learner"},
    "exercises.submit": SIGNED_IN,
    "exercises.mapping_result": {"learner"},
    "exercises.mapping_autosave": SIGNED_IN,
    "exercises.mapping_check": SIGNED_IN,
    "exercises.mapping_saved": SIGNED_IN,
    "exercises.mapping_versions": SIGNED_IN,
    "exercises.mapping_restore": SIGNED_IN,  # a copy of someone else's map is 404
    "drills.index": SIGNED_IN,
    "drills.drill": SIGNED_IN,
    "drills.habits": SIGNED_IN,
    "drills.learner_habits": COHORT_STAFF,
    "followup.index": SIGNED_IN,  # each learner sees only their own follow-up
    "glossary.index": SIGNED_IN,
    "objectives.index": SIGNED_IN,
    "quizzes.index": SIGNED_IN,
    "quizzes.take": SIGNED_IN,
    "quizzes.take_pool": SIGNED_IN,
    "quizzes.result": {"learner"},
    "quizzes.review": SIGNED_IN,
    "quizzes.weekly_check": SIGNED_IN,  # each learner sees only their own weekly checks
    "quizzes.weekly_plan": SIGNED_IN,
    "review.my_feedback": {"learner"},
    # the user's own notices (another user's notice id is not found in the list)
    "notices.index": SIGNED_IN,
    "notices.open_notice": SIGNED_IN,
    "notices.read_all": SIGNED_IN,
    "notices.email": SIGNED_IN,
    "review.my_work_json": SIGNED_IN,
    "pilot.module_feedback": LEARNERS | {"admin"},
    "pilot.evaluation": LEARNERS | {"admin"},
    "pilot.certificate": LEARNERS | {"admin"},
    "pilot.issue": LEARNERS | {"admin"},
    "pilot.decline": LEARNERS | {"admin"},
    # trainers
    "cohorts.index": STAFF,
    "cohorts.new": STAFF,
    "cohorts.invitations": STAFF,  # each trainer sees only invitations addressed to them
    "cohorts.answer": STAFF,  # another trainer's invitation is a 404
    "review.queue": STAFF,
    "review.queue_json": STAFF,
    "review.grader_agreement": STAFF,
    "review.comment_bank": STAFF,
    "review.delete_bank_entry": {"trainer", "admin"},  # the entry belongs to the cohort's trainer
    "review.use_bank_comment": {"trainer", "admin"},
    "classroom.index": STAFF,
    "trainers.home": STAFF,  # each trainer sees only their own cohorts
    "classroom.create": STAFF,
    "classroom.presenting": STAFF,  # this sign-in's own presenting flag
    "pilot.report": STAFF,
    "pilot.report_csv": STAFF,
    "pilot.completions_csv": STAFF,
    # the trainer's kit: printable guides, templates, cards and answer keys (no learner data, but answer keys)
    "kit.index": STAFF,
    "kit.facilitation": STAFF,
    "kit.facilitation_module": STAFF,
    "kit.template": STAFF,
    "kit.role_play_cards": STAFF,
    "kit.fact_cards": STAFF,
    "kit.answer_key": STAFF,
    "kit.agenda": STAFF,
    "kit.print_all": STAFF,
    # the cohort's own trainers and admins
    "cohorts.show": COHORT_STAFF,
    "cohorts.edit": COHORT_STAFF,
    "cohorts.qr": COHORT_STAFF,
    "cohorts.add_co_trainer": COHORT_STAFF,
    "cohorts.remove_co_trainer": COHORT_STAFF,
    "cohorts.remove_cohort_learner": COHORT_STAFF,
    "cohorts.move_cohort_learner": COHORT_STAFF,
    "cohorts.rotate_code": COHORT_STAFF,
    "cohorts.withdraw_co_trainer_invitation": COHORT_STAFF,
    "review.work": COHORT_STAFF,
    "review.set_screen": COHORT_STAFF,  # the set of the cohort's learner for one family
    "review.claim_set": COHORT_STAFF,
    "review.release_set": COHORT_STAFF,
    "review.add_inline_comment": COHORT_STAFF,
    "review.delete_inline_comment": COHORT_STAFF,
    "review.toggle_finding": COHORT_STAFF,
    "review.add_missed_problem": COHORT_STAFF,
    "review.delete_missed_problem": COHORT_STAFF,
    "review.cohort_analytics": COHORT_STAFF,
    "review.reveal_names": COHORT_STAFF,
    "review.progress_export": COHORT_STAFF,
    "review.reviews_export": COHORT_STAFF,
    "xapi.export_cohort": COHORT_STAFF,
    "attendance.overview": COHORT_STAFF,
    "attendance.register": COHORT_STAFF,
    "attendance.attendance_csv": COHORT_STAFF,
    "pilot.revoke_certificate": COHORT_STAFF,  # a trainer of the cohort the certificate was issued in, or an admin
    "classroom.console": COHORT_STAFF,
    "classroom.console_poll": COHORT_STAFF,
    "classroom.console_control": COHORT_STAFF,
    "classroom.end": COHORT_STAFF,
    "classroom.export": COHORT_STAFF,  # an ended session's summary (no names), kept 30 days
    "classroom.export_download": COHORT_STAFF,
    # admins
    "admin.users": {"admin"},
    "admin.deactivate": {"admin"},
    "admin.reactivate": {"admin"},
}

REFUSED = {401, 403, 404, 410}


@dataclass
class World:
    """The objects every route's URL points at, and who is who."""

    app: object
    emails: dict[str, str]
    params: dict[str, object]


def build_world(tmp_path) -> World:
    """Two cohorts, their trainers, two learners with work, an admin, a class session."""
    from course.grading import grade

    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    factory = Factory(app)
    trainer = factory.user("trainer", "trainer@example.org")
    other_trainer = factory.user("trainer", "other.trainer@example.org")
    cohort_a = factory.cohort("Cohort A", "AAAAAA", trainer)
    factory.cohort("Cohort B", "BBBBBB", other_trainer)
    learner = factory.user("learner", "learner@example.org", "Owner Learner", cohort_a)
    other = factory.user("learner", "other@example.org", "Other Learner", cohort_a)
    factory.user("admin", "admin@example.org")
    text = "On Saturday night Marcus grabbed Jayden (7) by the arm and Jayden had a bruise."
    with app.app_context():
        work = Work(user_id=learner, vignette_id="hill-family", kind="harm", position=1, status="submitted",
                    draft_text=text, revision=2, submitted_at=utcnow())
        db.session.add(work)
        db.session.flush()
        db.session.add(WorkVersion(work_id=work.id, number=1, text=text, source="submit",
                                   report=grade("harm", text, vignette="hill-family"), verdict="ready"))
        from course.models.notices import Notice

        db.session.add(Notice(user_id=learner, kind="returned", title="Returned", url="/exercises/"))  # notice 1
        attempt = MappingAttempt(
            user_id=learner, vignette_id="hill-family", placements={}, correct=0, total=14, scale=5
        )
        db.session.add(attempt)
        from course.models.quizzes import QuizAttempt
        from course.models.review import CommentBankEntry

        quiz = QuizAttempt(user_id=learner, quiz_id="harm-statements", kind="module", answers={}, item_scores={},
                           item_order=[], score=1, max_score=5)
        bank = CommentBankEntry(trainer_id=trainer, text="Name the child and their age.")
        from course.models.pilot import Certificate

        certificate = Certificate(user_id=other, cohort_id=cohort_a, code="0123456789AB", name="Other Learner",
                                  course="SOP Foundations", hours=11.5, trainer="Trainer")
        db.session.add_all([quiz, bank, certificate])
        from course.classroom.services import start_session

        session = start_session(db.session.get(User, trainer), db.session.get(Cohort, cohort_a), 1, "harm-statements")
        from course.classroom.export import end_session

        ended = start_session(db.session.get(User, trainer), db.session.get(Cohort, cohort_a), 1, "harm-statements")
        export = end_session(ended, trainer)
        from course.models import CohortInvitation

        invitation = CohortInvitation(cohort_id=cohort_a, invitee_id=other_trainer, invited_by_id=trainer)
        db.session.add(invitation)
        db.session.commit()
        ids = {"invitation": invitation.id, "work": work.id, "attempt": attempt.id, "quiz": quiz.id, "bank": bank.id,
               "screen": session.screen_code, "join": session.join_code, "session": session.id,
               "export": export.id}
    client = app.test_client()  # the cohort's trainer adds a comment and a missed problem through the views
    client.post("/auth/login", data={"email": "trainer@example.org", "password": PASSWORD})
    client.post(f"/review/sets/{learner}/hill-family/claim")
    client.post(
        f"/review/{ids['work']}/comments", json={"body": "Good detail.", "quote": "Marcus", "start": 18, "end": 24}
    )
    w = ids["work"]
    client.post(f"/review/{w}/missed", data={f"w{w}-missed-category": "jargon", f"w{w}-missed-note": "n",
                                             f"w{w}-missed-quote": ""})
    with app.app_context():
        from course.models.review import GraderFeedback, InlineComment

        comment = db.session.query(InlineComment).first()
        missed = db.session.query(GraderFeedback).first()
    params = {
        "cohort_id": cohort_a, "user_id": learner, "learner_id": learner, "notice_id": 1,
        "work_id": ids["work"], "comment_id": comment.id if comment else 1,
        "entry_id": ids["bank"], "index": 0, "session_id": ids["session"], "vignette_id": "hill-family",
        "kind": "harm", "position": 1, "number": 1, "module_id": "harm-statements", "drill_id": _first_drill(),
        "quiz_id": "harm-statements", "table": "modules", "filename": "css/app.css", "code": ids["join"],
        ("exercises.mapping_result", "attempt_id"): ids["attempt"], ("quizzes.result", "attempt_id"): ids["quiz"],
        ("review.delete_missed_problem", "entry_id"): missed.id if missed else 1,
        ("classroom.screen", "code"): ids["screen"], ("classroom.screen_poll", "code"): ids["screen"],
        ("classroom.screen_control", "code"): ids["screen"], ("auth.join", "code"): "AAAAAA",
        ("pilot.verify", "code"): "NOTAREALCODE", ("pilot.revoke_certificate", "code"): "0123456789AB",
        "day": 1, ("quizzes.take_pool", "quiz_id"): "key-terms",
        ("quizzes.take_pool", "kind"): "pre", ("kit.template", "slug"): "mapping",
        "kept_id": 1, "token": "not-a-real-token", "invitation_id": ids["invitation"], "answer": "accept",
        "export_id": ids["export"], "fmt": "csv",
    }
    emails = {"learner": "learner@example.org", "other_learner": "other@example.org",
              "other_trainer": "other.trainer@example.org", "trainer": "trainer@example.org",
              "admin": "admin@example.org"}
    return World(app, emails, params)


def _first_drill() -> str:
    import yaml

    from course.config import DEFAULTS

    with open(f"{DEFAULTS['DRILLS_DIR']}/drills.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)[0]["id"]


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def _url(world: World, rule) -> str:
    values = {}
    for name in rule.arguments:
        key = (rule.endpoint, name)
        if key in world.params:
            values[name] = world.params[key]
        elif name in world.params:
            values[name] = world.params[name]
        else:
            raise AssertionError(f"{rule.endpoint}: no test value for URL parameter {name!r}; add one to build_world")
    with world.app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_route_is_classified():
    app = make_app(__import__("pathlib").Path(__import__("tempfile").mkdtemp()))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - set(ACCESS))
    assert not unclassified, f"classify these routes in tests/test_security_matrix.py ACCESS: {unclassified}"
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"ACCESS lists routes that no longer exist: {stale}"


def _endpoint_rules():
    app = make_app(__import__("pathlib").Path(__import__("tempfile").mkdtemp()))
    return [(rule.endpoint, rule.rule) for rule in _rules(app)]


@pytest.mark.slow
@pytest.mark.parametrize("endpoint, rule_text", _endpoint_rules())
def test_route_refuses_every_role_outside_its_class(tmp_path, endpoint, rule_text):
    world = build_world(tmp_path)
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    url = _url(world, rule)
    allowed = ACCESS[endpoint]
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    # refused roles first, so an allowed POST (which may change things) runs last
    for role in sorted(ROLES, key=lambda r: r in allowed):
        client = world.app.test_client()
        if role != "anonymous":
            client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
        for method in methods:
            response = client.open(url, method=method, data={} if method == "POST" else None)
            where = f"{method} {url} as {role}"
            assert response.status_code < 500, f"{where} gave {response.status_code}"
            if role in allowed:
                continue
            redirected_to_login = response.status_code == 302 and "/auth/login" in response.location
            assert response.status_code in REFUSED or redirected_to_login, (
                f"{where} should be refused (allowed: {sorted(allowed)}) but gave {response.status_code}"
            )
