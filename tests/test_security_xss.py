"""Stored XSS and spreadsheet formula injection, through the real views.

Every free-text field a user can store gets a payload that combines a formula, a script element, an attribute
breakout with an event handler and a javascript: URL, tagged with the field's name. Then every page and export
is fetched as the learner, the cohort's trainer, an admin, a visitor and the projector, and:
- HTML: no script element or on* attribute or javascript: URL comes from user data (checked with html.parser),
  JSON embedded with |tojson parses and is not cut short by a raw `</script>`, and each payload shows somewhere
  as text, so the checks are not vacuous;
- JSON: served as application/json, and the payload round-trips as a string value;
- CSV: no cell starts with = + - @ (a text cell that would gets a leading single quote)."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from course.completion.services import required_modules
from course.extensions import db
from course.models import MappingAttempt, User, Work
from course.models.review import CommentBankEntry, InlineComment
from course.pilot import exports as pilot_exports
from course.pilot.objectives import OBJECTIVES
from course.review.rubric import rubric_rows
from course.vignettes import KINDS, get_vignette
from grader.vocabulary import kind_slug
from tests.conftest import PASSWORD
from tests.test_pilot_support import complete_modules, take_post_check
from tests.test_security_matrix import build_world

LEADS = "=+-@"


def payload(tag: str, lead: str = "=") -> str:
    """Return the attack text for one field: formula, script, attribute breakout, javascript: URL."""
    return (f'{lead}HYPERLINK("http://x/{tag}")<script>alert(1)</script>"><img src=x onerror=alert(1)>'
            f"javascript:alert(1)")


def marker(tag: str) -> str:
    """Return the part of a payload that names its field."""
    return f"http://x/{tag}"


# ---------------------------------------------------------------- checkers

class Audit(HTMLParser):
    """Parses a page, noting anything executable that came from user data, and collecting its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.attributes: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []
        self._script: tuple[str | None, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and ("alert(" in value or "http://x/" in value):  # a handler from user data
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            if tag == "img" and name.startswith("on"):  # templates put no handlers on images
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and \
                    re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            self.attributes.append(value)  # attribute values count as shown (an input's value, a title)
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("injected <img src=x>")
        if tag == "script":
            self._script = (dict(attrs).get("type"), [])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)
        else:
            self.text.append(data)


def audit_html(html: str, where: str) -> str:
    """Assert the page runs nothing from user data; return its text (and embedded JSON strings) for presence checks."""
    parser = Audit()
    parser.feed(html)
    parser.close()
    assert not parser.problems, f"{where}: injected markup: {parser.problems[:5]}"
    assert "<script>alert(1)</script>" not in html, f"{where}: the script payload is in the page unescaped"
    assert "<img src=x onerror" not in html, f"{where}: the image payload is in the page unescaped"
    texts = ["".join(parser.text), *parser.attributes]  # text joined whole: marks split a statement into elements
    for kind, body in parser.scripts:
        if kind == "application/json":  # |tojson: must parse whole; a raw </script> would have cut it short
            data = json.loads(body)
            texts.extend(strings_in(data))
        else:
            assert "alert(1)" not in body, f"{where}: user data inside an executable script"
    return "\n".join(texts)


def strings_in(data) -> list[str]:
    """Return every string value (and key) in a JSON document."""
    out = []
    if isinstance(data, str):
        out.append(data)
    elif isinstance(data, dict):
        for key, value in data.items():
            out.append(str(key))
            out.extend(strings_in(value))
    elif isinstance(data, list):
        for value in data:
            out.extend(strings_in(value))
    return out


def audit_json(response, where: str) -> tuple[object, str]:
    """Assert the response is JSON whose payloads are intact strings; return the data and its strings joined."""
    assert response.mimetype == "application/json", f"{where}: served as {response.mimetype}"
    data = json.loads(response.get_data(as_text=True))
    strings = strings_in(data)
    html_values = _html_values(data)
    for text in strings:
        if text in html_values:
            continue  # rendered fragments are audited as HTML below
        for tag in re.findall(r"http://x/([\w-]+)", text):
            originals = [payload(tag, lead) for lead in LEADS]
            assert any(p in text or text.strip() in p for p in originals), \
                f"{where}: payload {tag} altered (neither whole nor an excerpt): {text[:200]!r}"
    for html in html_values:
        strings.append(audit_html(html, f"{where} (html field)"))
    return data, "\n".join(strings)


def _html_values(data) -> list[str]:
    """Return the values of keys named html (rendered fragments inside JSON)."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == "html" and isinstance(v, str)] + [
            h for v in data.values() for h in _html_values(v)]
    if isinstance(data, list):
        return [h for v in data for h in _html_values(v)]
    return []


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def audit_csv(response, where: str) -> list[list[str]]:
    """Assert no cell would run as a spreadsheet formula; return the rows."""
    assert response.mimetype == "text/csv", f"{where}: served as {response.mimetype}"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    for row in rows:
        for cell in row:
            assert not (cell[:1] in tuple(LEADS) and not _is_number(cell)), f"{where}: formula cell {cell[:80]!r}"
            if re.search(r"http://x/([\w-]+)", cell):
                if cell.lstrip("'")[:1] in LEADS and "HYPERLINK" in cell[:12]:
                    assert cell.startswith("'"), f"{where}: {cell[:60]!r} is not quoted"
    return rows


# ---------------------------------------------------------------- the stored world

@dataclass
class Stored:
    """The world with payloads in every field, and where each was put."""

    world: object
    tags: dict[str, str] = field(default_factory=dict)  # tag -> the payload stored
    clients: dict[str, object] = field(default_factory=dict)
    ids: dict[str, object] = field(default_factory=dict)


def _store(stored: Stored, tag: str) -> str:
    lead = LEADS[len(stored.tags) % len(LEADS)]
    stored.tags[tag] = payload(tag, lead)
    return stored.tags[tag]


def _login(app, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.location in ("/", "/trainer/"), f"sign-in as {email} failed"
    return client


def _ok(response, what: str, codes=(200, 201, 302)):
    assert response.status_code in codes, f"{what}: {response.status_code} {response.get_data(as_text=True)[:400]}"
    return response


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Stored:
    world = build_world(tmp_path_factory.mktemp("xss"))
    app = world.app
    s = Stored(world)
    cohort_id = world.params["cohort_id"]
    trainer = _login(app, "trainer@example.org")
    admin = _login(app, "admin@example.org")
    s.clients.update(trainer=trainer, admin=admin, anonymous=app.test_client())

    # cohorts: rename the world's cohort and create one, through the cohort form
    _ok(trainer.post(f"/cohorts/{cohort_id}/edit", data={"name": _store(s, "cohort")}), "edit cohort")
    _ok(trainer.post("/cohorts/new", data={"name": _store(s, "cohort-new")}), "new cohort")

    # five learners register with payload names (the first does everything a learner can)
    learners = []
    for i in range(5):
        client = app.test_client()
        _ok(client.post("/auth/register", data={"join_code": "AAAAAA", "display_name": _store(s, f"name{i}"),
                                                "email": f"xss{i}@example.org", "password": PASSWORD,
                                                "confirm": PASSWORD}), f"register {i}")
        learners.append(client)
    me = learners[0]
    s.clients["learner"] = me
    with app.app_context():
        s.ids["me"] = db.session.scalar(select(User.id).where(User.email == "xss0@example.org"))

    # statements: autosave then check, for each kind (JSON, as the page script does)
    for slug in map(kind_slug, KINDS):
        base = f"/exercises/hill-family/write/{slug}/1"
        draft = payload(f"draft-{slug}")  # replaced by the checked text below, so not kept in s.tags
        saved = _ok(me.post(f"{base}/autosave", json={"text": draft, "revision": 0}), "autosave")
        assert audit_json(saved, f"POST {base}/autosave")[0]["text"] == draft
        checked = _ok(me.post(f"{base}/check", json={"text": _store(s, f"stmt-{slug}"),
                                                     "revision": saved.get_json()["revision"]}), "check")
        audit_json(checked, f"POST {base}/check")
    # the no-JavaScript form, on a second danger statement
    _ok(me.post("/exercises/hill-family/write/danger/2", data={"text": _store(s, "form-draft"), "revision": "0",
                                                               "save": "Save draft"}), "statement form")

    # mapping with a scale reason, and a drill attempt
    with app.app_context():
        vignette = get_vignette("hill-family")
        modules = [m.id for m in required_modules()]
    board = {f"fact_{f.id}": f.category for f in vignette.mapping_facts}
    _ok(me.post("/exercises/hill-family/mapping", data={**board, "scale": "4", "scale_reason": _store(s, "scale"),
                                                         "new-needs": _store(s, "map-entry")}), "mapping")
    saved = _ok(me.post("/exercises/hill-family/mapping/check", json={
        "revision": 1, "placements": {}, "scale": None, "scale_reason": "",
        "entries": [{"key": "x1", "column": "grey", "text": _store(s, "map-entry-json")}]}), "mapping check")
    audit_json(saved, "POST /exercises/hill-family/mapping/check")
    _ok(me.post(f"/drills/{world.params['drill_id']}", data={"text": _store(s, "drill")}), "drill")
    # the network and child-interview plans (saved, and checked so the report shows the words too)
    _ok(me.post("/exercises/hill-family/network", data={"orientation": _store(s, "orientation"), "revision": "0",
                                                         "check": "1"}), "network")
    _ok(me.post("/exercises/hill-family/child-interview", data={
        "house": "three_houses", "opening": _store(s, "opening"), "questions": _store(s, "child-questions"),
        "sharing": _store(s, "sharing"), "revision": "0", "save": "Save"}), "child interview")

    # submit the set (rev_<id> as the submit page sends them); the danger/2 draft goes too
    with app.app_context():
        works = db.session.scalars(select(Work).where(Work.user_id == s.ids["me"])).all()
        revisions = {f"rev_{w.id}": str(w.revision) for w in works}
        s.ids["works"] = {(w.kind, w.position): w.id for w in works}
        s.ids["attempt"] = db.session.scalar(select(MappingAttempt.id).where(MappingAttempt.user_id == s.ids["me"]))
    _ok(me.post("/exercises/hill-family/submit", data={**revisions, "confirm": "Submit for trainer review"}), "submit",
        codes=(302,))

    # the trainer claims the set and reviews each statement: inline comments (JSON and form), a missed problem,
    # rubric and overall comments; then sends every decision at once
    set_url = f"/review/sets/{s.ids['me']}/hill-family"
    _ok(trainer.post(f"{set_url}/claim"), "claim", codes=(302,))
    decisions = {"action": "send"}
    for (kind, position), work_id in s.ids["works"].items():
        p = f"w{work_id}-"
        _ok(trainer.post(f"/review/{work_id}/comments", json={"body": _store(s, f"inline-{work_id}"),
                                                              "quote": "HYPERLINK"}), "inline JSON", codes=(201,))
        _ok(trainer.post(f"/review/{work_id}/comments", data={p + "comment-body": _store(s, f"inform-{work_id}"),
                                                              p + "comment-quote": "alert"}), "inline form",
            codes=(302,))
        _ok(trainer.post(f"/review/{work_id}/missed", data={p + "missed-category": "jargon", p + "missed-quote": "",
                                                            p + "missed-note": _store(s, f"missed-{work_id}")}),
            "missed")
        for row in rubric_rows(kind, {}):
            decisions[f"{p}{row['criterion'].id}-comment"] = _store(s, f"rubric-{work_id}-{row['criterion'].id}")
            decisions[f"{p}{row['criterion'].id}-score"] = "meets"
        decisions[p + "overall_comment"] = _store(s, f"overall-{work_id}")
        decisions[p + "save_overall"] = "1" if position == 1 and kind == "harm" else ""
        decisions[p + "decision"] = "accept"
    _ok(trainer.post(set_url, data=decisions), "review", codes=(302,))
    _ok(trainer.post("/review/bank", data={"text": _store(s, "bank")}), "bank", codes=(302,))

    # the learner completes the modules and the post check (stored as passed attempts: the checks themselves are
    # not under test here); the evaluation below is the last requirement, so the certificate carries the name
    with app.app_context():
        complete_modules(s.ids["me"], modules)
        take_post_check(s.ids["me"])

    # five learners give module feedback and the course evaluation (comments show from 5 responses)
    module_id = modules[0]
    s.ids["module"] = module_id
    confidence = {f"{when}_{n}": "3" for n in OBJECTIVES for when in ("before", "after")}
    for i, client in enumerate(learners):
        _ok(client.post(f"/pilot/modules/{module_id}/feedback", data={
            "usefulness": "4", "clarity": "5", "comment": _store(s, f"feedback{i}"), "send": "Send feedback"}),
            "module feedback", codes=(302,))
        _ok(client.post("/pilot/evaluation", data={**confidence, "usefulness": "4", "recommend": "yes",
                                                   "keep": _store(s, f"keep{i}"), "change": _store(s, f"change{i}")}),
            "evaluation", codes=(302,))

    # classroom: a live statement activity, a response shown on the projector, and a game with a payload team
    session_id, join = world.params["session_id"], world.params["code"]
    control = f"/classroom/sessions/{session_id}/control"
    _ok(trainer.post(control, json={"action": "start_activity", "kind": "statement", "statement_kind": "harm",
                                    "vignette": "hill-family"}), "start activity")
    activity_id = trainer.get(f"/classroom/sessions/{session_id}/state").get_json()["activity"]["id"]
    live_name = _store(s, "livename")[:40]  # display names are kept to 40 characters
    s.tags["livename"] = live_name
    _ok(me.post("/live/", data={"code": join, "name": live_name}), "live join", codes=(302,))
    _ok(me.post(f"/live/{join}/respond", json={"activity_id": activity_id, "submit_key": "xss-key-0001",
                                               "text": _store(s, "live")}), "live respond")
    response_id = trainer.get(f"/classroom/sessions/{session_id}/state").get_json()["activity"]["responses"][0]["id"]
    for action in ("activity.spotlight", "activity.marks"):
        _ok(trainer.post(control, json={"action": action, "response_id": response_id, "value": True}), action)
    with app.app_context():  # the summary an ended session keeps, built from the same live data
        from course.classroom.export import build_export
        from course.models.classroom import ClassSession

        s.ids["export"] = build_export(db.session.get(ClassSession, session_id), None).id
        db.session.commit()
    team = _store(s, "team")[:40]  # team names are kept to 40 characters
    s.tags["team"] = team
    _ok(trainer.post(control, json={"action": "start_game", "modules": ["key-terms"], "mode": "teams",
                                    "teams": [team, "Blue"]}), "start game")
    _ok(trainer.post(control, json={"action": "mode", "mode": "activity"}), "screen mode")

    # an admin creates a trainer account with a payload name; the trainer makes them a co-trainer
    _ok(admin.post("/admin/users", data={"display_name": _store(s, "staff"), "email": "staff@example.org",
                                         "role": "trainer", "password": PASSWORD}), "admin user", codes=(302,))
    _ok(trainer.post(f"/cohorts/{cohort_id}/trainers", data={"email": "staff@example.org"}), "co-trainer")

    with app.app_context():
        s.ids["bank"] = db.session.scalar(select(CommentBankEntry.id).order_by(CommentBankEntry.id.desc()))
        s.ids["comments"] = db.session.scalars(select(InlineComment.id)).all()
        from course.models.pilot import Certificate

        s.ids["certificate"] = db.session.scalar(select(Certificate.code).where(Certificate.user_id == s.ids["me"]))
    assert s.ids["certificate"], "the learner's certificate was not issued, so completions.csv has no payload"
    yield s
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---------------------------------------------------------------- fetching everything

def _page_urls(s: Stored) -> dict[str, list[str]]:
    """Return the GET URLs to fetch per role: every page route with the stored objects in the URL."""
    from flask import url_for

    app, params = s.world.app, s.world.params
    works = s.ids["works"]
    harm = works[("harm", 1)]
    values = {"cohort_id": params["cohort_id"], "user_id": s.ids["me"], "learner_id": s.ids["me"], "work_id": harm,
              "session_id": params["session_id"], "vignette_id": "hill-family", "kind": "harm", "position": 1,
              "number": 1, "module_id": s.ids["module"], "drill_id": params["drill_id"], "quiz_id": "harm-statements",
              "attempt_id": s.ids["attempt"], "code": params["code"], "entry_id": s.ids["bank"],
              "filename": "css/app.css", "token": "not-a-real-token", "export_id": s.ids["export"], "fmt": "md",
              "slug": "mapping", "invitation_id": 0, "answer": "accept", "day": 1}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "auth.join") or rule.endpoint.endswith("_csv"):
                continue
            args = {name: values[name] for name in rule.arguments}
            if rule.endpoint == "quizzes.take_pool":
                args.update(quiz_id="key-terms", kind="pre")
            if rule.endpoint.startswith("classroom.screen") and "code" in rule.arguments:
                args["code"] = params[("classroom.screen", "code")]
            urls.append(url_for(rule.endpoint, **args))
        for (kind, position), work_id in works.items():
            slug = kind_slug(kind)
            urls += [url_for("review.my_feedback", work_id=work_id),
                     url_for("exercises.statement", vignette_id="hill-family", kind=slug, position=position),
                     url_for("exercises.history", vignette_id="hill-family", kind=slug, position=position)]
        urls += [url_for("pilot.verify", code=s.ids["certificate"]),
                 url_for("review.queue", status="all"), url_for("review.queue_json", status="all"),
                 url_for("pilot.report", cohort=params["cohort_id"])]
    return {"learner": urls, "trainer": urls, "admin": urls, "anonymous": urls}


def _export_urls(s: Stored) -> list[str]:
    cohort = s.world.params["cohort_id"]
    return ([f"/review/cohorts/{cohort}/progress.csv", f"/review/cohorts/{cohort}/reviews.csv",
             f"/cohorts/{cohort}/attendance.csv",
             "/pilot/completions.csv", f"/pilot/completions.csv?cohort={cohort}"]
            + [f"/pilot/report/{table}.csv" for table in pilot_exports.TABLES]
            + [f"/pilot/report/{table}.csv?cohort={cohort}" for table in pilot_exports.TABLES])


@pytest.fixture(scope="module")
def shown(stored) -> dict[str, str]:
    """Fetch every page as every role, auditing each; return url -> text shown, for presence checks."""
    out: dict[str, str] = {}
    for role, urls in _page_urls(stored).items():
        client = stored.clients[role]
        for url in dict.fromkeys(urls):
            response = client.get(url, follow_redirects=True)
            where = f"GET {url} as {role}"
            assert response.status_code < 500, f"{where}: {response.status_code}"
            if response.mimetype == "text/html":
                out[f"{role} {url}"] = audit_html(response.get_data(as_text=True), where)
            elif response.mimetype == "application/json" or url.endswith(".json") or "/state" in url:
                out[f"{role} {url}"] = audit_json(response, where)[1] if response.status_code != 304 else ""
    return out


def _shown_where(shown: dict[str, str], tag: str, text: str) -> list[str]:
    return [key for key, body in shown.items() if text in body]


def test_every_page_escapes_the_payloads_and_shows_them_as_text(stored, shown):
    assert len(shown) > 100, "too few pages were fetched"
    missing = [tag for tag, text in stored.tags.items() if not _shown_where(shown, tag, text)]
    assert not missing, f"these stored payloads were not shown whole on any page, so escaping was not tested: {missing}"


@pytest.mark.parametrize("role, path, tags", [
    ("trainer", "/cohorts/{cohort}", ["cohort", "name0", "name4", "staff"]),
    ("trainer", "/cohorts/", ["cohort", "cohort-new"]),
    ("trainer", "/review/?status=all", ["name0", "cohort"]),
    ("trainer", "/review/bank", ["bank", "overall-{harm}"]),
    ("trainer", "/review/sets/{me}/hill-family", ["name0", "stmt-harm", "inline-{harm}", "inform-{harm}",
                                                  "missed-{harm}", "overall-{harm}", "rubric-{harm}-"]),
    ("trainer", "/review/agreement", ["missed-{harm}"]),
    ("trainer", "/pilot/report", ["feedback0", "feedback4", "keep0", "change4"]),
    ("trainer", "/classroom/sessions/{session}", ["cohort"]),
    ("trainer", "/classroom/exports/{export}", ["live", "cohort"]),
    ("admin", "/admin/users", ["name0", "staff"]),
    ("learner", "/review/mine/{harm}", ["stmt-harm", "inline-{harm}", "overall-{harm}"]),
    ("learner", "/exercises/hill-family/write/harm/1", ["stmt-harm"]),
    ("learner", "/exercises/hill-family/write/danger/2", ["form-draft"]),
    ("learner", "/exercises/hill-family/mapping/{attempt}", ["scale"]),
    ("learner", "/exercises/hill-family/mapping", ["map-entry-json"]),
    ("learner", "/exercises/hill-family/mapping/versions", ["map-entry", "map-entry-json"]),
    ("learner", "/drills/{drill}", ["drill"]),
    ("learner", "/exercises/hill-family/network", ["orientation"]),
    ("learner", "/exercises/hill-family/child-interview", ["opening", "child-questions", "sharing"]),
    ("learner", "/pilot/evaluation", ["keep0", "change0"]),
    ("learner", "/pilot/certificate", ["name0"]),
    ("learner", "/live/{join}", ["live", "livename"]),
    ("anonymous", "/verify/{certificate}", ["name0"]),
])
def test_pages_show_each_payload_as_text(stored, shown, role, path, tags):
    values = {"cohort": stored.world.params["cohort_id"], "harm": stored.ids["works"][("harm", 1)],
              "session": stored.world.params["session_id"], "attempt": stored.ids["attempt"],
              "drill": stored.world.params["drill_id"], "join": stored.world.params["code"],
              "certificate": stored.ids["certificate"], "me": stored.ids["me"], "export": stored.ids["export"]}
    url = path.format(**values)
    response = stored.clients[role].get(url)
    assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
    text = audit_html(response.get_data(as_text=True), f"GET {url} as {role}")
    text = re.sub(r"✎(Trainer comment )?C\d+", "", text)  # comment references sit between a statement's words
    for tag in tags:
        tag = tag.format(**values)
        found = [t for t in stored.tags if t == tag or (tag.endswith("-") and t.startswith(tag))]
        assert found, f"no stored payload named {tag}"
        assert any(stored.tags[t] in text for t in found), f"GET {url} as {role} does not show {tag} as text"


def test_csv_exports_quote_formula_cells(stored):
    trainer = stored.clients["trainer"]
    cells: dict[str, str] = {}
    for url in _export_urls(stored):
        response = trainer.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        rows = audit_csv(response, f"GET {url}")
        cells[url] = "\n".join(cell for row in rows for cell in row)
    cohort = stored.world.params["cohort_id"]
    harm = stored.ids["works"][("harm", 1)]
    expected = {
        f"/review/cohorts/{cohort}/progress.csv": ["name0", "name4"],
        f"/review/cohorts/{cohort}/reviews.csv": ["name0", f"overall-{harm}"],
        "/pilot/completions.csv": ["name0", "cohort"],
        "/pilot/report/comments.csv": ["feedback0", "feedback4", "keep0", "change4"],
    }
    for url, tags in expected.items():
        for tag in tags:
            quoted = "'" + stored.tags[tag]
            assert quoted in cells[url], f"GET {url}: {tag} is missing or not quoted"


def test_json_endpoints_round_trip_payloads_as_strings(stored):
    params = stored.world.params
    session_id, screen, join = params["session_id"], params[("classroom.screen", "code")], params["code"]
    harm = stored.ids["works"][("harm", 1)]
    cases = [
        ("trainer", "/review/queue.json?status=all", ["name0", "cohort"]),
        ("learner", "/review/my-work.json", ["name0", "stmt-harm", f"overall-{harm}", f"inline-{harm}", "scale"]),
        ("trainer", f"/xapi/cohorts/{params['cohort_id']}/statements.json", []),
        # the console names a phone linked to an account as the name-masking service names its learner
        ("trainer", f"/classroom/sessions/{session_id}/state", ["live", "name0", "cohort", "team"]),
        ("anonymous", f"/classroom/screen/{screen}/state", ["live", "team"]),
        ("learner", f"/live/{join}/state", ["live"]),
    ]
    for role, url, tags in cases:
        response = stored.clients[role].get(url)
        assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
        _, strings = audit_json(response, f"GET {url} as {role}")
        for tag in tags:
            assert stored.tags[tag] in strings, f"GET {url} as {role}: {tag} not found intact"
    projector = stored.clients["anonymous"].get(f"/classroom/screen/{screen}/state").get_data(as_text=True)
    names = [tag for tag in stored.tags if re.fullmatch(r"name\d|staff|livename", tag)]
    assert len(names) == 7, names
    for tag in names:  # the projector never shows a person's name (nor a phone's display name) ...
        assert marker(tag) not in projector, f"the projector's state shows the name {tag}"
    for tag in ("live", "team"):  # ... while what it does show is there, so the check is not vacuous
        assert marker(tag) in projector, f"the projector's state does not show {tag}"


def test_pages_embedding_state_with_tojson_are_escaped(stored):
    params = stored.world.params
    pages = [("anonymous", f"/classroom/screen/{params[('classroom.screen', 'code')]}"),
             ("learner", f"/live/{params['code']}")]
    for role, url in pages:
        html = stored.clients[role].get(url).get_data(as_text=True)
        scripts = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
        assert scripts, f"{url}: no embedded state"
        for body in scripts:
            assert "<" not in body and ">" not in body, f"{url}: raw < or > in embedded JSON"
            strings = "\n".join(strings_in(json.loads(body)))
            assert stored.tags["live"] in strings, f"{url}: the live response is not in the embedded state"


@pytest.mark.parametrize("html", [
    "<p><script>alert(1)</script></p>",
    '<p>"><img src=x onerror=alert(1)></p>',
    '<a href="javascript:alert(1)">x</a>',
    '<div title="" onmouseover="alert(1)">x</div>',
    '<script type="application/json">{"text": "</script><img src=x onerror=alert(1)>"}</script>',
])
def test_the_html_audit_catches_unescaped_payloads(html):
    with pytest.raises(AssertionError):
        audit_html(html, "sample")


def test_the_csv_audit_catches_formula_cells(app):
    with app.test_request_context():
        from flask import Response

        for cell in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(1)"):
            with pytest.raises(AssertionError):
                audit_csv(Response(f"a,b\r\nok,{cell}\r\n", mimetype="text/csv"), "sample")
        assert audit_csv(Response("a,b\r\n-1.5,'=x\r\n", mimetype="text/csv"), "sample")[1] == ["-1.5", "'=x"]
