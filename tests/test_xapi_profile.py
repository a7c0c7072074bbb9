"""Every kind of xAPI statement the product sends, old and new, checked against a real LRS's statement model
(ralph-malph's pydantic BaseXapiStatement, as Ralph 5.1.0 validates on POST) and against the product's own
documented profile: its verbs, activity types and extensions (course.xapi.statements)."""
from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import select

from course import events
from course.extensions import db
from course.models import User
from course.models.xapi import XapiStatement
from course.xapi import statements as xs
from tests.test_xapi_statements import _work

ALL_VERBS = {"completed", "scored", "submitted", "passed", "attempted", "answered"}


@pytest.fixture
def sent(app, factory):
    """Send every milestone signal for a learner in a cohort; return the queued statements."""
    user_id = factory.user("learner", cohort_id=factory.cohort("Pilot West"))
    with app.app_context():
        user = db.session.get(User, user_id)
        work, version = _work(user_id)
        events.module_completed.send(app, user=user, module_id="mapping")
        events.quiz_scored.send(app, user=user, quiz_id="mapping", score=7, max_score=10)
        events.work_submitted.send(app, user=user, work=work, version=version)
        events.work_accepted.send(app, user=user, work=work, version=version, score=0.75)
        events.course_completed.send(app, user=user, certificate=None)
        events.drill_graded.send(app, user=user, drill_id="drill-harm-neglect-1", ready=True, practice=True)
        events.drill_graded.send(app, user=user, drill_id="drill-sfq-why-1", ready=False, practice=False)
        events.follow_up_answered.send(app, user=user, answers=None)
        db.session.commit()
        rows = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)).all()
        return [(row.verb, copy.deepcopy(row.statement)) for row in rows]


def test_every_kind_of_statement_is_accepted_by_ralphs_model(sent):
    assert {verb for verb, _ in sent} == ALL_VERBS
    for verb, statement in sent:
        BaseXapiStatement(**statement)  # raises ValidationError when an LRS would refuse it
        assert xs.validate(statement) == [], (verb, xs.validate(statement))


def test_every_statement_keeps_to_the_documented_profile(app, sent):
    with app.app_context():
        documented_extensions = {xs.extension_id(name) for name in xs.EXTENSIONS}
    for verb, statement in sent:
        assert statement["verb"] == {"id": xs.VERBS[verb][0], "display": {xs.LANG: xs.VERBS[verb][1]}}
        assert statement["object"]["definition"]["type"] in xs.ACTIVITY_TYPES.values()
        used = {*statement.get("context", {}).get("extensions", {}), *statement.get("result", {}).get("extensions", {})}
        assert used <= documented_extensions, used - documented_extensions
        assert verb in xs.__doc__ and xs.VERBS[verb][0] in xs.__doc__  # the module's documentation lists it


@pytest.mark.parametrize("mutate", [
    lambda s: s.pop("actor"),
    lambda s: s["verb"].pop("id"),
    lambda s: s.update(timestamp="yesterday"),
])
def test_ralph_refuses_what_an_lrs_would_refuse(sent, mutate):
    for _, statement in sent:
        broken = copy.deepcopy(statement)
        mutate(broken)
        with pytest.raises(ValidationError):
            BaseXapiStatement(**broken)
        assert xs.validate(broken)
