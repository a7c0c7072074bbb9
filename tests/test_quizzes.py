"""Knowledge checks: loading and validation, scoring per item type, attempts, retakes and the pre/post gain."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from course.events import quiz_scored
from course.extensions import db
from course.models import Cohort, User
from course.models.quizzes import QuizAttempt
from course.quizzes.checks import check_quizzes
from course.quizzes.loader import Item, Option, Pair, SortEntry, get_quiz, library_for, validate_file
from course.quizzes.scoring import score_item
from course.quizzes.services import (
    POOL_ID,
    cohort_knowledge_gains,
    item_order,
    knowledge_gain,
    record_attempt,
)

# ---------------------------------------------------------------- loader errors name file, line and item

GOOD_ITEM = """\
  - id: ok-1
    type: single
    objectives: [4]
    prompt: Which is harm?
    options:
      - text: A
        correct: true
        explanation: Because.
      - text: B
        correct: false
        explanation: Not that.
"""

BROKEN = [
    # (description, item text with "# here" on the line the problem must name, words in the message)
    ("missing explanation", """\
  - id: bad-1
    type: single
    objectives: [4]
    prompt: Pick one.
    options:
      - text: A
        correct: true
        explanation: Yes.
      - text: B  # here
        correct: false
""", ["item 'bad-1'", "option 2 has no explanation"]),
    ("two correct in a single", """\
  - id: bad-2
    type: single
    objectives: [4]
    prompt: Pick one.
    options:  # here
      - text: A
        correct: true
        explanation: Yes.
      - text: B
        correct: true
        explanation: Also yes.
""", ["item 'bad-2'", "exactly one correct option, found 2"]),
    ("unknown type", """\
  - id: bad-3
    type: essay  # here
    objectives: [4]
    prompt: Write.
""", ["item 'bad-3'", "type must be one of"]),
    ("objective out of range", """\
  - id: bad-4
    type: single
    objectives: [11]  # here
    prompt: Pick one.
    options:
      - text: A
        correct: true
        explanation: Yes.
      - text: B
        correct: false
        explanation: No.
""", ["item 'bad-4'", "objectives must be"]),
    ("duplicate id", """\
  - id: ok-1  # here
    type: multiple
    objectives: [4]
    prompt: Pick some.
    options:
      - text: A
        correct: true
        explanation: Yes.
      - text: B
        correct: false
        explanation: No.
""", ["item 'ok-1'", "already used by item #1"]),
    ("sort entry in a column the item does not list", """\
  - id: bad-6
    type: sort
    objectives: [8]
    prompt: Sort them.
    columns: [harm, danger]
    items:
      - text: A
        column: harm
        explanation: Past.
      - text: B
        column: strength  # here
        explanation: Asset.
""", ["item 'bad-6'", "statement 2 goes in 'strength'"]),
    ("match pair without a definition", """\
  - id: bad-7
    type: match
    objectives: [4]
    prompt: Match.
    pairs:
      - term: Harm
        definition: Past hurt.
        explanation: Past.
      - term: Danger  # here
        explanation: Future.
""", ["item 'bad-7'", "pair 2 has no definition"]),
]


@pytest.mark.parametrize("description,item,words", BROKEN, ids=[b[0] for b in BROKEN])
def test_loader_errors_name_file_line_and_item(tmp_path, description, item, words):
    text = "id: broken\ntitle: Broken\nmodule: key-terms\nitems:\n" + GOOD_ITEM + item
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.endswith("# here"))
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    data, problems = validate_file(path)
    messages = [str(p) for p in problems]
    assert messages, f"{description}: no problem reported"
    match = [m for m in messages if all(w in m for w in words)]
    assert match, f"{description}: expected {words} in {messages}"
    assert re.match(rf".*broken\.yaml:{line}: ", match[0]), f"{description}: expected line {line} in {match[0]}"


def test_loader_reports_bad_yaml_and_file_name_mismatch(tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "oops.yaml").write_text("id: oops\nitems: [\n", encoding="utf-8")
    (tmp_path / "quizzes" / "named.yaml").write_text(
        "id: other-name\ntitle: T\nmodule: m\nitems:\n" + GOOD_ITEM, encoding="utf-8"
    )
    problems = [str(p) for p in library_for(tmp_path).problems()]
    assert any("oops.yaml:" in p and "not valid YAML" in p for p in problems), problems
    assert any("named.yaml:1: " in p and "must match the file name" in p for p in problems), problems
    assert library_for(tmp_path).all() == []


def test_library_reloads_when_a_file_changes(tmp_path):
    folder = tmp_path / "quizzes"
    folder.mkdir()
    path = folder / "live.yaml"
    path.write_text("id: live\ntitle: First\nmodule: m\nitems:\n" + GOOD_ITEM, encoding="utf-8")
    library = library_for(tmp_path)
    assert library.get("live").title == "First"
    path.write_text("id: live\ntitle: Second title\nmodule: m\nitems:\n" + GOOD_ITEM, encoding="utf-8")
    assert library.get("live").title == "Second title"


def test_checker_flags_missing_module_and_dangling_quiz_reference(tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "modules").mkdir()
    (tmp_path / "quizzes" / "lonely.yaml").write_text(
        "id: lonely\ntitle: T\nmodule: nowhere\nitems:\n" + GOOD_ITEM, encoding="utf-8"
    )
    (tmp_path / "modules" / "01-a.md").write_text(
        "---\nid: a\ntitle: A\nday: 1\norder: 1\nminutes: 30\nobjectives: [1]\nsummary: S.\nquiz: missing-check\n"
        "---\n\n# A\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_quizzes({"CONTENT_DIR": str(tmp_path)})]
    assert any("lonely.yaml" in p and "module 'nowhere' does not exist" in p for p in problems), problems
    assert any("01-a.md" in p and "quiz 'missing-check' does not exist" in p for p in problems), problems


# ---------------------------------------------------------------- the real quiz files are consistent

def test_every_real_quiz_item_has_a_consistent_key(app):
    with app.app_context():
        library = library_for(app.config["CONTENT_DIR"])
        assert library.problems() == []
        quizzes = library.all()
    assert quizzes, "no quizzes found"
    for quiz in quizzes:
        for item in quiz.items:
            where = f"{quiz.id}/{item.id}"
            assert item.objectives and all(1 <= o <= 10 for o in item.objectives), where
            if item.type == "single":
                assert sum(o.correct for o in item.options) == 1, where
            if item.type == "multiple":
                assert any(o.correct for o in item.options), where
            parts = item.options or item.pairs or item.entries
            assert parts and all(p.explanation.strip() for p in parts), f"{where}: every part needs an explanation"
            if item.type == "sort":
                assert all(e.column in item.columns for e in item.entries), where


def test_module_quiz_references_exist_and_point_back(app):
    from course.curriculum.loader import library_for as modules_for

    with app.app_context():
        modules = modules_for(app.config["CONTENT_DIR"]).all()
        for module in modules:
            if module.quiz:
                quiz = get_quiz(module.quiz)
                assert quiz is not None, f"{module.path}: quiz '{module.quiz}' missing"
                assert quiz.module == module.id and not quiz.pool, module.id
        pool = get_quiz(POOL_ID)
        assert pool is not None and pool.pool


# ---------------------------------------------------------------- scoring, per item type

def _opts(*flags):
    return tuple(Option(f"option {i}", flag, f"why {i}") for i, flag in enumerate(flags))


SINGLE = Item("s", "single", (4,), "Pick", options=_opts(False, True, False))
MULTIPLE = Item("m", "multiple", (4,), "Pick all", options=_opts(True, False, True, False))
MATCH = Item("p", "match", (4,), "Match", pairs=tuple(Pair(t, f"def {t}", "why") for t in ("a", "b", "c", "d")))
SORT = Item("t", "sort", (8,), "Sort", columns=("harm", "danger", "strength"),
            entries=(SortEntry("x", "harm", "why"), SortEntry("y", "danger", "why"), SortEntry("z", "strength", "why"),
                     SortEntry("w", "harm", "why")))

SCORING = [
    (SINGLE, 1, 1.0), (SINGLE, 0, 0.0), (SINGLE, None, 0.0),
    (MULTIPLE, [0, 2], 1.0), (MULTIPLE, [0], 0.0), (MULTIPLE, [0, 1, 2], 0.0), (MULTIPLE, [], 0.0),
    (MATCH, [0, 1, 2, 3], 1.0), (MATCH, [1, 0, 2, 3], 0.5), (MATCH, [3, 2, 1, 0], 0.0), (MATCH, [0, 0, 0, 0], 0.25),
    (SORT, ["harm", "danger", "strength", "harm"], 1.0), (SORT, ["harm", "harm", "harm", "harm"], 0.5),
    (SORT, ["danger", "strength", "harm", "danger"], 0.0), (SORT, ["harm", None, None, None], 0.25),
]


@pytest.mark.parametrize("item,answer,points", SCORING, ids=[f"{s[0].type}-{s[1]}" for s in SCORING])
def test_scoring_per_item_type(item, answer, points):
    result = score_item(item, answer)
    assert result.points == pytest.approx(points), f"{item.type} {answer!r}"
    assert result.correct == (points == 1.0)
    assert len(result.parts) == len(item.options or item.pairs or item.entries)
    assert all(part.explanation for part in result.parts)


def test_choice_feedback_marks_selected_and_correct_options():
    result = score_item(MULTIPLE, [0, 1])
    assert [(p.selected, p.correct_option, p.right) for p in result.parts] == [
        (True, True, True), (True, False, False), (False, True, False), (False, False, True)]


# ---------------------------------------------------------------- taking a check through the views

def _field_values(html: str) -> list[str]:
    """Return the names of the answer fields in a rendered check."""
    return sorted(set(re.findall(r'name="(q-[^"]+)"', html)))


def _answers_for(quiz, right: bool) -> dict:
    """Build form data answering every item right (or wrong where possible)."""
    data = {}
    for item in quiz.items:
        if item.type in ("single", "multiple"):
            good = sorted(item.correct_indexes)
            bad = [i for i in range(len(item.options)) if i not in item.correct_indexes][:1] or good
            data[f"q-{item.id}"] = [str(i) for i in (good if right else bad)]
        elif item.type == "match":
            n = len(item.pairs)
            for i in range(n):
                data[f"q-{item.id}-{i}"] = str(i if right else (i + 1) % n)
        else:
            for i, entry in enumerate(item.entries):
                wrong = next(c for c in item.columns if c != entry.column)
                data[f"q-{item.id}-{i}"] = entry.column if right else wrong
    return data


@pytest.fixture
def learner(app, factory, auth):
    """A signed-in learner; returns their id."""
    user_id = factory.user()
    auth.login(factory.email(user_id))
    return user_id


def test_module_check_renders_fieldsets_with_legends_and_labels(client, learner, app):
    response = client.get("/quizzes/mapping")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    with app.app_context():
        quiz = get_quiz("mapping")
    assert html.count("<fieldset") == len(quiz.items)
    assert html.count("<legend") == len(quiz.items)
    for fid in re.findall(r'<(?:input|select)[^>]* id="(q-[^"]+)"', html):
        assert f'for="{fid}"' in html, f"no label for {fid}"
    assert 'aria-live="polite"' in html


def test_incomplete_submission_shows_errors_tied_to_each_question(client, learner):
    response = client.post("/quizzes/mapping", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in html and "6 questions still need an answer" in html
    assert 'aria-describedby="err-map-1"' in html and 'id="err-map-1"' in html
    assert 'aria-invalid="true"' in html


def test_partial_answers_are_kept_when_the_form_comes_back(client, learner, app):
    with app.app_context():
        quiz = get_quiz("mapping")
    data = _answers_for(quiz, right=True)
    kept = data.pop("q-map-3")
    html = client.post("/quizzes/mapping", data=data).get_data(as_text=True)
    assert "1 question still needs an answer" in html
    chosen = data["q-map-2"][0]
    assert re.search(rf'name="q-map-2" value="{chosen}" checked', html)
    assert kept  # the removed answer is the one flagged
    assert 'aria-describedby="err-map-3"' in html


def test_submission_is_scored_stored_and_explained(client, learner, app):
    sent = []

    def listener(sender, **kwargs):
        sent.append({**kwargs, "user_id": kwargs["user"].id})

    with app.app_context():
        quiz = get_quiz("mapping")
    quiz_scored.connect(listener, weak=False)
    try:
        response = client.post("/quizzes/mapping", data=_answers_for(quiz, right=True))
    finally:
        quiz_scored.disconnect(listener)
    assert response.status_code == 302 and "/quizzes/attempts/" in response.headers["Location"]
    assert sent and sent[0]["quiz_id"] == "mapping" and sent[0]["score"] == sent[0]["max_score"] == len(quiz.items)
    assert sent[0]["user_id"] == learner
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in html and "✓ </span>Right" in html
    for item in quiz.items:
        for part in item.options or item.pairs or item.entries:
            if getattr(part, "correct", True):
                assert part.explanation.replace("'", "&#39;").replace('"', "&#34;") in html, item.id


def test_wrong_answers_are_marked_in_words_not_colour_alone(client, learner, app):
    with app.app_context():
        quiz = get_quiz("three-questions")
    response = client.post("/quizzes/three-questions", data=_answers_for(quiz, right=False), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Not right" in html and "Not a correct answer" in html and "Your answer" in html and "Correct answer" in html


def test_retake_keeps_best_and_latest(client, learner, app):
    with app.app_context():
        quiz = get_quiz("what-is-sop")
    client.post("/quizzes/what-is-sop", data=_answers_for(quiz, right=True))
    client.post("/quizzes/what-is-sop", data=_answers_for(quiz, right=False))
    with app.app_context():
        rows = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == learner).order_by(QuizAttempt.id)
        ).all()
        assert [r.percent for r in rows] == [100, 0]
        assert rows[0].item_scores and rows[0].answers and rows[0].kind == "module"
    html = client.get("/quizzes/").get_data(as_text=True)
    row = re.search(r"What SOP Is, and Why check.*?</tr>", html, re.S).group(0)
    assert "Best: 100%" in row and "Latest: 0%" in row
    page = client.get("/quizzes/what-is-sop").get_data(as_text=True)
    assert "best 100%, latest 0%" in page
    module_page = client.get("/modules/what-is-sop").get_data(as_text=True)
    assert "Best 100%, latest 0%" in module_page and "/quizzes/what-is-sop" in module_page


def test_result_of_someone_else_is_not_found(client, app, factory, auth):
    owner = factory.user()
    with app.app_context():
        quiz = get_quiz("icpm")
        attempt, _ = record_attempt(db.session.get(User, owner), quiz, "module", {})
        db.session.commit()
        attempt_id = attempt.id
    other = factory.user()
    auth.login(factory.email(other))
    assert client.get(f"/quizzes/attempts/{attempt_id}").status_code == 404


def test_fetch_submission_returns_the_result_fragment(client, learner, app):
    with app.app_context():
        quiz = get_quiz("icpm")
    response = client.post("/quizzes/icpm", data=_answers_for(quiz, right=True), headers={"X-Requested-With": "fetch"})
    data = response.get_json()
    assert response.status_code == 200 and data["percent"] == 100
    assert 'id="quiz-result"' in data["html"] and data["result_url"].startswith("/quizzes/attempts/")
    bad = client.post("/quizzes/icpm", data={}, headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {i.id for i in quiz.items}


def test_the_pool_is_not_a_module_check(client, learner):
    response = client.get(f"/quizzes/{POOL_ID}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/#pre-post")
    assert client.get("/quizzes/mapping/pre").status_code == 404
    assert client.get("/quizzes/no-such-check").status_code == 404


# ---------------------------------------------------------------- pre and post

def _legend_order(html: str) -> list[str]:
    return re.findall(r'<fieldset[^>]* data-item="([^"]+)"', html)


def test_pre_and_post_show_the_same_items_in_a_different_order(client, learner, app):
    pre = _legend_order(client.get(f"/quizzes/{POOL_ID}/pre").get_data(as_text=True))
    post = _legend_order(client.get(f"/quizzes/{POOL_ID}/post").get_data(as_text=True))
    with app.app_context():
        pool = get_quiz(POOL_ID)
    assert sorted(pre) == sorted(post) == sorted(i.id for i in pool.items)
    assert pre != post
    again = _legend_order(client.get(f"/quizzes/{POOL_ID}/pre").get_data(as_text=True))
    assert again == pre, "the order must be stable for a learner"


def test_orders_differ_for_every_learner():
    pool = get_quiz(POOL_ID)  # outside an app: the repository's content folder
    for user_id in range(1, 300):
        pre, post = item_order(pool, user_id, "pre"), item_order(pool, user_id, "post")
        assert pre != post and sorted(pre) == sorted(post), user_id
        assert item_order(pool, user_id, "pre") == pre, "orders are deterministic"


def test_gain_is_post_minus_pre_and_pre_is_taken_once(client, learner, app):
    with app.app_context():
        pool = get_quiz(POOL_ID)
    first = client.post(f"/quizzes/{POOL_ID}/pre", data=_answers_for(pool, right=False))
    assert first.status_code == 302
    pre_page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "explanations appear after you take the post-course check" in pre_page
    assert client.get(f"/quizzes/{POOL_ID}/pre").status_code == 302, "the pre-check is taken once"
    client.post(f"/quizzes/{POOL_ID}/post", data=_answers_for(pool, right=True))
    client.post(f"/quizzes/{POOL_ID}/post", data=_answers_for(pool, right=False))  # a later practice try
    with app.app_context():
        user = db.session.get(User, learner)
        gain = knowledge_gain(user)
        assert (gain.pre_percent, gain.post_percent, gain.gain) == (0, 100, 100)
        assert gain.post_latest.percent == 0 and gain.post_best.percent == 100
        kinds = [a.kind for a in db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id))]
        assert kinds == ["pre", "post", "post"]
    home = client.get("/").get_data(as_text=True)
    assert "+100 points" in home
    assert "+100 points" in client.get("/quizzes/").get_data(as_text=True)


def right_answer(item):
    """Return the stored form of a fully right answer to an item."""
    if item.type == "single":
        return next(iter(item.correct_indexes))
    if item.type == "multiple":
        return sorted(item.correct_indexes)
    if item.type == "match":
        return list(range(len(item.pairs)))
    return [entry.column for entry in item.entries]


def test_partial_gain_in_percentage_points(app, factory):
    user_id = factory.user()
    with app.app_context():
        pool = get_quiz(POOL_ID)
        user = db.session.get(User, user_id)
        some = {item.id: right_answer(item) for item in pool.items[:4]}
        record_attempt(user, pool, "pre", some)
        record_attempt(user, pool, "post", {item.id: right_answer(item) for item in pool.items})
        db.session.commit()
        gain = knowledge_gain(user)
    expected_pre = round(100 * 4 / len(pool.items))
    assert (gain.pre_percent, gain.post_percent, gain.gain) == (expected_pre, 100, 100 - expected_pre)


def test_cohort_gains_are_aggregates_only(app, factory):
    cohort_id = factory.cohort()
    ids = [factory.user(cohort_id=cohort_id) for _ in range(3)]
    with app.app_context():
        pool = get_quiz(POOL_ID)
        users = [db.session.get(User, i) for i in ids]
        everything = {item.id: right_answer(item) for item in pool.items}
        record_attempt(users[0], pool, "pre", {})
        record_attempt(users[0], pool, "post", everything)
        record_attempt(users[1], pool, "pre", everything)
        record_attempt(users[1], pool, "post", everything)
        record_attempt(users[2], pool, "pre", {})
        db.session.commit()
        result = cohort_knowledge_gains(db.session.get(Cohort, cohort_id))
    assert (result.learners, result.took_pre, result.took_post, result.paired) == (3, 3, 2, 2)
    assert result.mean_pre == pytest.approx((0 + 100 + 0) / 3, abs=0.1)
    assert result.mean_post == 100 and result.mean_gain == 50 and result.median_gain == 50 and result.improved == 1
    assert not any(isinstance(v, (list, dict, User)) for v in vars(result).values()), "aggregates only"
