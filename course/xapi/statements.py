"""Build xAPI 1.0.3 statements for course milestones, and check their structure.

Verbs (ADL vocabulary unless noted):
- completed  http://adlnet.gov/expapi/verbs/completed   a module, or the whole course
- scored     http://adlnet.gov/expapi/verbs/scored      a knowledge check, with its score
- submitted  http://activitystrea.ms/schema/1.0/submit  an exercise handed in for review
             (the Activity Streams "submit" verb listed in the xAPI registry: ADL has no "submitted")
- passed     http://adlnet.gov/expapi/verbs/passed      an exercise a trainer accepted, with the
             rubric score when there is one
- attempted  http://adlnet.gov/expapi/verbs/attempted   a rewrite drill, success when the rewrite
             graded ready; the practice extension is true when it was picked for the learner's habits
- answered   http://adlnet.gov/expapi/verbs/answered    the 30-day follow-up survey (no answers travel)

The actor is an account on this site (homePage + the user's numeric id), never an email address.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request

from ..database import utcnow
from ..feedback import numbered_label

XAPI_VERSION = "1.0.3"
LANG = "en-US"
VERBS = {
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "scored": ("http://adlnet.gov/expapi/verbs/scored", "scored"),
    "submitted": ("http://activitystrea.ms/schema/1.0/submit", "submitted"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    "attempted": ("http://adlnet.gov/expapi/verbs/attempted", "attempted"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered"),
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "exercise": "http://adlnet.gov/expapi/activities/performance",
    "drill": "http://adlnet.gov/expapi/activities/interaction",
    "survey": "http://id.tincanapi.com/activitytype/survey",
}
# The extensions this product defines, each at extension_id(name), and where they appear.
EXTENSIONS = {
    "cohort": "context: the learner's cohort id (an integer)",
    "practice": "result of 'attempted drill': true when the drill was picked for the learner's habits",
}
FALLBACK_BASE = "https://sop-foundations.invalid/"


def site_base() -> str:
    """Return the base IRI for activities and accounts: XAPI_SITE_URL, else SITE_URL, else this request's host
    (statements queued outside a request, such as the demo's, then still name the real site when it is set)."""
    base = current_app.config.get("XAPI_SITE_URL") or current_app.config.get("SITE_URL")
    if not base and has_request_context():
        base = request.host_url
    base = base or FALLBACK_BASE
    return base if base.endswith("/") else base + "/"


def activity_id(*parts: str) -> str:
    """Return a stable activity IRI under this site, e.g. <site>/xapi/activities/module/mapping."""
    return site_base() + "xapi/activities/" + "/".join(quote(str(p), safe="") for p in parts)


def extension_id(name: str) -> str:
    """Return this site's IRI for an extension, e.g. <site>/xapi/extensions/practice."""
    return site_base() + "xapi/extensions/" + quote(name, safe="")


def actor_for(user) -> dict:
    """Return the learner as an xAPI Agent identified by a site account (no email in clear)."""
    return {
        "objectType": "Agent",
        "name": f"Learner {user.id}",
        "account": {"homePage": site_base(), "name": str(user.id)},
    }


def _activity(kind: str, activity_iri: str, name: str, description: str | None = None) -> dict:
    """Return an Activity object with its definition."""
    definition = {"name": {LANG: name}, "type": ACTIVITY_TYPES[kind]}
    if description:
        definition["description"] = {LANG: description}
    return {"objectType": "Activity", "id": activity_iri, "definition": definition}


def course_activity() -> dict:
    """Return the course itself as an Activity."""
    return _activity("course", activity_id("course"), current_app.config.get("SITE_NAME", "SOP Foundations"),
                     "California's two-day Safety Organized Practice foundations course.")


def _context(cohort_id: int | None) -> dict:
    """Return the context shared by every statement: platform, language, the course as parent."""
    context = {
        "platform": current_app.config.get("SITE_NAME", "SOP Foundations"),
        "language": LANG,
        "contextActivities": {"grouping": [{"objectType": "Activity", "id": activity_id("course")}]},
    }
    if cohort_id is not None:
        context["extensions"] = {extension_id("cohort"): cohort_id}
    return context


def _score(score: float | None, max_score: float | None = None) -> dict | None:
    """Return an xAPI score: raw/min/max when the maximum is known, and scaled 0-1."""
    if score is None:
        return None
    if max_score:
        scaled = max(0.0, min(1.0, float(score) / float(max_score)))
        return {"raw": float(score), "min": 0.0, "max": float(max_score), "scaled": round(scaled, 4)}
    return {"scaled": round(max(0.0, min(1.0, float(score))), 4)}


def build(user, verb: str, obj: dict, result: dict | None = None, cohort_id: int | None = None,
          when: datetime | None = None) -> dict:
    """Return a complete statement with a fresh UUID and an ISO 8601 UTC timestamp."""
    verb_id, display = VERBS[verb]
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor_for(user),
        "verb": {"id": verb_id, "display": {LANG: display}},
        "object": obj,
        "context": _context(cohort_id),
        "timestamp": (when or utcnow()).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "version": XAPI_VERSION,
    }
    if result:
        statement["result"] = result
    return statement


def module_completed(user, module, cohort_id=None) -> dict:
    """Return 'completed module' for a module (a loader Module, or just its id)."""
    if isinstance(module, str):
        module_id = name = module
    else:
        module_id, name = module.id, module.title
    return build(user, "completed", _activity("module", activity_id("module", module_id), name),
                 {"completion": True}, cohort_id)


def quiz_scored(user, quiz_id: str, score: float, max_score: float, cohort_id=None) -> dict:
    """Return 'scored knowledge check' with the raw and scaled score."""
    result = {"score": _score(score, max_score), "completion": True}
    return build(user, "scored", _activity("quiz", activity_id("quiz", quiz_id), f"Knowledge check: {quiz_id}"),
                 result, cohort_id)


def _exercise_activity(work) -> dict:
    """Return the exercise (one statement slot of a vignette) as an Activity."""
    name = f"{numbered_label(work.kind, work.position)}, {work.vignette_id}"
    return _activity("exercise", activity_id("exercise", work.vignette_id, work.kind, str(work.position)), name)


def work_submitted(user, work, version, include_text: bool = False, cohort_id=None) -> dict:
    """Return 'submitted exercise'; the learner's text goes in result.response only when allowed."""
    result = {"completion": True}
    if include_text and version is not None:
        result["response"] = version.text
    return build(user, "submitted", _exercise_activity(work), result, cohort_id)


def work_accepted(user, work, version, score: float | None, include_text: bool = False, cohort_id=None) -> dict:
    """Return 'passed exercise' for work a trainer accepted, with the rubric score when known."""
    result = {"success": True, "completion": True}
    scored = _score(score)
    if scored:
        result["score"] = scored
    if include_text and version is not None:
        result["response"] = version.text
    return build(user, "passed", _exercise_activity(work), result, cohort_id)


def course_completed(user, certificate, cohort_id=None) -> dict:
    """Return 'completed course', carrying the certified hours as an ISO 8601 duration."""
    result = {"completion": True, "success": True}
    if certificate is not None and certificate.hours:
        result["duration"] = f"PT{float(certificate.hours):g}H"
    return build(user, "completed", course_activity(), result, cohort_id)


def drill_attempted(user, drill_id: str, ready: bool, practice: bool, cohort_id=None) -> dict:
    """Return 'attempted drill': success when the rewrite graded ready, and whether it was habit practice."""
    result = {"success": bool(ready), "completion": True,
              "extensions": {extension_id("practice"): bool(practice)}}
    return build(user, "attempted", _activity("drill", activity_id("drill", drill_id), f"Rewrite drill: {drill_id}"),
                 result, cohort_id)


def follow_up_answered(user, cohort_id=None) -> dict:
    """Return 'answered 30-day follow-up' (the answers stay in the app)."""
    return build(user, "answered", _activity("survey", activity_id("follow-up"), "30-day follow-up"),
                 {"completion": True}, cohort_id)


# ---------------------------------------------------------------- structure check

_ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_DURATION = re.compile(r"^P(?:\d+(?:\.\d+)?[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?$")


def _is_iri(value) -> bool:
    """Return whether the value looks like an absolute IRI."""
    return isinstance(value, str) and bool(urlsplit(value).scheme) and ":" in value and " " not in value


def _language_map(value) -> bool:
    """Return whether the value is a non-empty map of language tags to strings."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    )


def _actor_problems(actor) -> list[str]:
    """Return what is wrong with an Agent."""
    if not isinstance(actor, dict):
        return ["actor must be an object"]
    problems = []
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        problems.append(f"actor needs exactly one identifier, found {ifis or 'none'}")
    if "mbox" in actor:
        problems.append("actor must not carry an email address in clear (use mbox_sha1sum or account)")
    if "mbox_sha1sum" in actor and not _SHA1.match(str(actor["mbox_sha1sum"])):
        problems.append("actor.mbox_sha1sum must be 40 lower-case hex digits")
    account = actor.get("account")
    if "account" in actor and not (isinstance(account, dict) and _is_iri(account.get("homePage"))
                                   and isinstance(account.get("name"), str) and account.get("name")):
        problems.append("actor.account needs an IRI homePage and a name")
    if actor.get("objectType", "Agent") != "Agent":
        problems.append("actor.objectType must be Agent")
    return problems


def _result_problems(result) -> list[str]:
    """Return what is wrong with a Result."""
    if not isinstance(result, dict):
        return ["result must be an object"]
    problems = []
    score = result.get("score")
    if score is not None:
        scaled = score.get("scaled")
        if scaled is not None and not -1 <= scaled <= 1:
            problems.append("result.score.scaled must be between -1 and 1")
        raw, low, high = score.get("raw"), score.get("min"), score.get("max")
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            problems.append("result.score.raw must lie between min and max")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            problems.append(f"result.{key} must be true or false")
    if "duration" in result and not _DURATION.match(str(result["duration"])):
        problems.append("result.duration must be an ISO 8601 duration")
    return problems


def validate(statement: dict) -> list[str]:
    """Return the structural problems with a statement (empty when it is well formed)."""
    problems = []
    try:
        uuid.UUID(str(statement.get("id")))
    except ValueError:
        problems.append("id must be a UUID")
    problems += _actor_problems(statement.get("actor"))
    verb = statement.get("verb") or {}
    if not _is_iri(verb.get("id")):
        problems.append("verb.id must be an IRI")
    if not _language_map(verb.get("display")):
        problems.append("verb.display must be a language map")
    obj = statement.get("object") or {}
    if obj.get("objectType", "Activity") != "Activity" or not _is_iri(obj.get("id")):
        problems.append("object must be an Activity with an IRI id")
    definition = obj.get("definition") or {}
    if not _language_map(definition.get("name")) or not _is_iri(definition.get("type")):
        problems.append("object.definition needs a name language map and a type IRI")
    if "result" in statement:
        problems += _result_problems(statement["result"])
    timestamp = statement.get("timestamp")
    if not isinstance(timestamp, str) or not _ISO_8601.match(timestamp):
        problems.append("timestamp must be an ISO 8601 date-time with a time zone")
    else:
        try:
            datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            problems.append("timestamp is not a real date-time")
    if not isinstance(statement.get("context", {}), dict):
        problems.append("context must be an object")
    return problems
