"""Knowledge checks: loading and validation, the item-bank rules, opaque per-attempt values, scoring per
item type, attempts and retakes, the parallel pre/post forms, the locked post check and the gain's interval."""
from __future__ import annotations

import re
import statistics

import pytest
from sqlalchemy import func, select

from course.completion.services import required_modules as rules_required_modules
from course.events import quiz_scored
from course.extensions import db
from course.models import Cohort, User
from course.models.quizzes import QuizAttempt
from course.module_files import library_for as modules_for
from course.quizzes.bank import key_is_longest, length_ratio
from course.quizzes.checks import check_quizzes
from course.quizzes.intervals import mean_interval, t_quantile
from course.quizzes.loader import Item, Option, Pair, SortEntry, all_quizzes, get_quiz, library_for, validate_file
from course.quizzes.presentation import attempt_id, shown_items
from course.quizzes.scoring import score_item
from course.quizzes.services import (
    POOL_ID,
    cohort_knowledge_gains,
    knowledge_gain,
    post_check_gate,
    record_attempt,
)
from tests.quiz_forms import answer_data, parse_quiz
from tests.test_pilot_support import complete_modules

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
    ("empty case", """\
  - id: bad-8
    type: single
    objectives: [4]
    case: ""  # here
    prompt: Pick one.
    options:
      - text: A
        correct: true
        explanation: Yes.
      - text: B
        correct: false
        explanation: No.
""", ["item 'bad-8'", "case must be a short text"]),
    ("a form outside the pool", """\
  - id: bad-9
    type: single
    objectives: [4]
    form: pre  # here
    prompt: Pick one.
    options:
      - text: A
        correct: true
        explanation: Yes.
      - text: B
        correct: false
        explanation: No.
""", ["item 'bad-9'", "'form' is only for the pre/post pool"]),
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


# ---------------------------------------------------------------- the pool's parallel forms are validated

def _pool_item(item_id: str, form: str | None, pair: str | None, objectives: str = "[4]", kind: str = "single") -> str:
    """Return a pool item in YAML, with a form and a pair when given."""
    extra = (f"    form: {form}\n" if form else "") + (f"    pairs_with: {pair}\n" if pair else "")
    return (f"  - id: {item_id}\n    type: {kind}\n    objectives: {objectives}\n{extra}    prompt: Pick one.\n"
            "    options:\n      - text: A\n        correct: true\n        explanation: Yes.\n"
            "      - text: B\n        correct: false\n        explanation: No.\n")


POOL_CASES = [
    ("a good pair", [("p-1", "pre", "q-1", "[4]", "single"), ("q-1", "post", "p-1", "[4]", "single")], []),
    ("no form", [("p-1", None, "q-1", "[4]", "single"), ("q-1", "post", "p-1", "[4]", "single")],
     ["item 'p-1': pool items need 'form: pre' or 'form: post'"]),
    ("no pair", [("p-1", "pre", None, "[4]", "single"), ("q-1", "post", None, "[4]", "single")],
     ["item 'p-1': pool items need 'pairs_with", "item 'q-1': pool items need 'pairs_with"]),
    ("pair missing from the file", [("p-1", "pre", "nobody", "[4]", "single"), ("q-1", "post", "p-1", "[4]", "single")],
     ["pairs_with 'nobody' is not an item"]),
    ("both on the pre form", [("p-1", "pre", "q-1", "[4]", "single"), ("q-1", "pre", "p-1", "[4]", "single")],
     ["is on the same form (pre)", "objective 4 has 2 pre item(s) and 0 post item(s)"]),
    ("pair not mutual", [("p-1", "pre", "q-1", "[4]", "single"), ("q-1", "post", "p-2", "[4]", "single"),
                         ("p-2", "pre", "q-1", "[4]", "single")],
     ["its pair 'q-1' pairs with 'p-2'", "objective 4 has 2 pre item(s) and 1 post item(s)"]),
    ("different objectives", [("p-1", "pre", "q-1", "[4]", "single"), ("q-1", "post", "p-1", "[3]", "single")],
     ["checks objectives [3], not [4]", "objective 3 has 0 pre item(s) and 1 post item(s)"]),
    ("different types", [("p-1", "pre", "q-1", "[4]", "single"), ("q-1", "post", "p-1", "[4]", "multiple")],
     ["its pair 'q-1' is a multiple item"]),
]


@pytest.mark.parametrize("description,items,expected", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pool_pairs_are_validated(tmp_path, description, items, expected):
    text = "id: pool\ntitle: Pool\npool: true\nitems:\n" + "".join(_pool_item(*spec) for spec in items)
    path = tmp_path / "pool.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = validate_file(path)
    messages = [str(p) for p in problems]
    for words in expected:
        assert any(words in m for m in messages), f"{description}: expected {words!r} in {messages}"
    if not expected:
        assert messages == [], f"{description}: {messages}"
    assert all(re.match(r".*pool\.yaml:\d+: ", m) for m in messages)


def test_the_real_pool_has_parallel_forms(app):
    with app.app_context():
        pool = get_quiz(POOL_ID)
    pre, post = pool.items_for("pre"), pool.items_for("post")
    assert pre and len(pre) == len(post), "each form has the same number of items"
    assert not {i.id for i in pre} & {i.id for i in post}, "pre and post never share an item"
    for item in pre:
        partner = pool.items_by_id[item.pairs_with]
        assert partner.form == "post" and partner.pairs_with == item.id, item.id
        assert partner.type == item.type and set(partner.objectives) == set(item.objectives), item.id
        assert item.prompt and (item.case or item.options), item.id
        if item.case:
            assert partner.case and partner.case != item.case, f"{item.id}: the post item needs its own case"


# ---------------------------------------------------------------- the item-bank rules

def _single(item_id: str, key: str, others: list[str], case: str = "") -> str:
    """Return a single-choice item in YAML whose first option is the key."""
    options = [(key, "true")] + [(text, "false") for text in others]
    body = "".join(f"      - text: {text}\n        correct: {flag}\n        explanation: Why.\n"
                   for text, flag in options)
    case_line = f"    case: {case}\n" if case else ""
    return (f"  - id: {item_id}\n    type: single\n    objectives: [4]\n{case_line}"
            f"    prompt: Which fits?\n    options:\n{body}")


MODULE = ("---\nid: demo\ntitle: Demo\nday: 1\norder: 1\nminutes: 30\nobjectives: [4]\nsummary: A demo module.\n"
          "quiz: demo\n---\n\n# Demo\n\nOn Monday Rita Gomez left her son Leo alone in the car for an hour.\n")
GLOSSARY = ("- term: Harm\n  slug: harm\n  definition: What a caregiver did that hurt a child.\n"
            "  example: Rita left Leo in the car.\n  module: demo\n")
LONG_KEYS = [
    _single("d-1", "Rita left Leo alone in the car for an hour on Monday afternoon.",
            ["A label.", "A guess.", "A wish."]),
    _single("d-2", "The worker and the aunt worry Rita may leave Leo in the car again.",
            ["Risk.", "A fear.", "Danger."]),
    _single("d-3", "It makes change harder but is not the danger.",
            ["It is the danger, since it is what the child faces.", "It is harm, since the child was hurt.",
             "It is safety, since it protects the child."]),
]


def _bank(tmp_path, items: list[str]) -> str:
    """Write a module and its check into tmp_path; return the content folder."""
    (tmp_path / "modules").mkdir(exist_ok=True)
    (tmp_path / "quizzes").mkdir(exist_ok=True)
    (tmp_path / "modules" / "01-demo.md").write_text(MODULE, encoding="utf-8")
    (tmp_path / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "quizzes" / "demo.yaml").write_text(
        "id: demo\ntitle: Demo check\nmodule: demo\nitems:\n" + "".join(items), encoding="utf-8")
    return str(tmp_path)


def test_content_check_fails_a_quiz_built_with_longest_answer_keys(runner, tmp_path):
    folder = _bank(tmp_path, LONG_KEYS)
    result = runner.invoke(args=["content", "check", "--content-dir", folder])
    assert result.exit_code == 1, result.output
    assert re.search(
        r"demo\.yaml:\d+: the keyed option is the longest in 2 of 3 single-choice items \(67%, limit 40%\)",
        result.output), result.output
    assert "(d-1, d-2)" in result.output
    # d-1 and d-2 are also lopsided: reported as warnings, which alone would not fail the check.
    assert re.search(r"demo\.yaml:\d+: warning: item 'd-1': its options differ in length by \d+\.\dx", result.output)


def test_content_check_passes_a_balanced_quiz_and_warnings_do_not_fail(runner, tmp_path):
    items = [_single("b-1", "Harm.", ["Danger, plainly.", "Safety, plainly.", "A strength."]),
             _single("b-2", "Complicating factor", ["Danger", "Harm", "A strength of the family"]),
             _single("b-3", "The act and its effect", ["A label in place of the act", "A guess at motive", "A worry"])]
    result = runner.invoke(args=["content", "check", "--content-dir", _bank(tmp_path, items)])
    assert "keyed option is the longest" not in result.output
    assert "warning: item 'b-2'" in result.output and "warning: item 'b-1'" in result.output
    assert result.exit_code == 0, result.output


CASES = [
    ("copied from the module", "On Monday Rita Gomez left her son Leo alone in the car for an hour. Which fits?", True),
    ("copied with other punctuation and case",
     "on monday, RITA GOMEZ left her son Leo alone in the car -- for an hour!", True),
    ("a new case", "On Friday Omar Saleh left his daughter Noor alone at the park for two hours.", False),
    ("a short sentence the module also has",
     "Rita left. Omar Saleh took his daughter Noor to the park on Friday.", False),
]


@pytest.mark.parametrize("description,case,copied", CASES, ids=[c[0] for c in CASES])
def test_a_case_must_not_repeat_module_text(tmp_path, description, case, copied):
    items = [_single("c-1", "Harm", ["Danger", "Safety", "Grey"], case=f'"{case}"')]
    problems = [str(p) for p in check_quizzes({"CONTENT_DIR": _bank(tmp_path, items)})]
    hits = [p for p in problems if "its case repeats text from" in p]
    assert bool(hits) == copied, f"{description}: {problems}"
    if copied:
        assert re.match(r".*demo\.yaml:\d+: item 'c-1': its case repeats text from .*01-demo\.md", hits[0])


def test_stats_print_each_quiz_share_of_longest_keys(runner, tmp_path):
    result = runner.invoke(args=["content", "check", "--stats", "--content-dir", _bank(tmp_path, LONG_KEYS)])
    row = next(line for line in result.output.splitlines() if line.startswith("demo "))
    assert row.split() == ["demo", "3", "3", "0", "0", "0", "0", "(0%)", "2/3", "(67%)", "0/3", "(0%)"], row
    assert "keys by length rank" in result.output


def test_the_shipped_bank_is_fair(app):
    """Every shipped check passes the rules; at least half of all items apply a concept to a new case."""
    with app.app_context():
        quizzes = all_quizzes()
        problems = check_quizzes({"CONTENT_DIR": app.config["CONTENT_DIR"]})
    assert [str(p) for p in problems if not p.warning] == []
    items = [item for quiz in quizzes for item in quiz.items]
    singles = [item for item in items if item.type == "single"]
    assert sum(1 for item in items if item.case) * 2 >= len(items)
    assert sum(key_is_longest(item) for item in singles) <= 0.4 * len(singles)
    assert all(length_ratio(item) <= 2.5 for item in items if item.type in ("single", "multiple"))


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


# ---------------------------------------------------------------- opaque values, shuffled per attempt

@pytest.fixture
def learner(app, factory, auth):
    """A signed-in learner; returns their id."""
    user_id = factory.user()
    auth.login(factory.email(user_id))
    return user_id


def _complete_course(app, user_id: int) -> None:
    """Complete the required modules the way the completion rules count them, so the post-course check opens."""
    with app.app_context():
        complete_modules(user_id, [m.id for m in rules_required_modules()])


def _check_urls() -> list[str]:
    """Return the URL of every check a learner can take: each module check, and the pre and post forms."""
    urls = [f"/quizzes/{quiz.id}" for quiz in all_quizzes() if not quiz.pool]
    return urls + [f"/quizzes/{POOL_ID}/pre", f"/quizzes/{POOL_ID}/post"]


INDEX = re.compile(r"^\d+$")
TOKEN = re.compile(r"^v[a-z2-7]{16}$")


@pytest.mark.parametrize("url", _check_urls())
def test_no_option_value_reveals_the_key(client, learner, app, url):
    _complete_course(app, learner)
    quiz = get_quiz(url.split("/")[2], app.config["CONTENT_DIR"])
    first_html = client.get(url).get_data(as_text=True)
    first = parse_quiz(first_html)
    values = first.values()
    assert values and all(TOKEN.match(v) for v in values), [v for v in values if not TOKEN.match(v)][:5]
    seen: set[str] = set()
    for shown in first.items:
        item = quiz.items_by_id[shown.id]
        mine = {c.value for f in shown.fields.values() for c in f.choices}
        assert not mine & seen, f"{item.id}: shares values with another item"
        seen |= mine
        for name, field_ in shown.fields.items():
            assert len({c.value for c in field_.choices}) == len(field_.choices), f"{name}: two choices share a value"
            suffix = name.removeprefix(f"q-{item.id}").lstrip("-")
            # Statements are named by an opaque value; only a match row is named by its term's place
            # (terms are shown in file order, so the place says nothing).
            assert item.type == "match" or not INDEX.match(suffix), name
            if item.type == "match":
                assert suffix not in {c.value for c in field_.choices}, f"{name}: a definition's value names its term"
    kind = url.rsplit("/", 1)[-1] if url.endswith(("/pre", "/post")) else "module"
    # A second attempt gets new values: nothing learned from the first page's source carries over.
    client.post(url, data=answer_data(first_html, quiz, right=True))
    if kind == "pre":
        return  # the pre-course check is taken once
    second = parse_quiz(client.get(url).get_data(as_text=True))
    assert not set(second.values()) & set(values), "two attempts must not share any value"


def test_values_depend_on_the_secret_key(app):
    with app.app_context():
        quiz = get_quiz("mapping")
        one = shown_items(quiz, "module", attempt_id(1, quiz.id, "module", 1), b"one secret")
        two = shown_items(quiz, "module", attempt_id(1, quiz.id, "module", 1), b"another secret")
    assert all(not set(a.values) & set(b.values) for a, b in zip(one, two, strict=True))


def test_the_order_is_stable_within_an_attempt_and_new_for_the_next(client, learner, app):
    quiz = get_quiz("putting-it-together", app.config["CONTENT_DIR"])
    first_html = client.get("/quizzes/putting-it-together").get_data(as_text=True)
    again_html = client.get("/quizzes/putting-it-together").get_data(as_text=True)
    first, again = parse_quiz(first_html), parse_quiz(again_html)
    assert first.values() == again.values(), "a reload shows the same attempt"
    assert [first.texts(i) for i in first.order()] == [again.texts(i) for i in again.order()]
    client.post("/quizzes/putting-it-together", data=answer_data(first_html, quiz, right=False))
    second = parse_quiz(client.get("/quizzes/putting-it-together").get_data(as_text=True))
    assert first.hidden["attempt"] == "1" and second.hidden["attempt"] == "2"
    assert [first.texts(i) for i in first.order()] != [second.texts(i) for i in second.order()]


def test_the_key_moves_between_attempts(app):
    """Across attempts the key of each choice item lands in more than one place (no fixed position to learn)."""
    with app.app_context():
        for quiz in all_quizzes():
            places: dict[str, set[int]] = {}
            for number in range(1, 13):
                for shown in shown_items(quiz, "module", attempt_id(7, quiz.id, "module", number)):
                    if shown.item.type == "single":
                        key = next(iter(shown.item.correct_indexes))
                        places.setdefault(shown.item.id, set()).add(shown.order.index(key))
            assert all(len(p) > 1 for p in places.values()), (quiz.id, places)


# ---------------------------------------------------------------- taking a check through the views

def test_module_check_renders_fieldsets_with_legends_labels_and_cases(client, learner, app):
    response = client.get("/quizzes/mapping")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    quiz = get_quiz("mapping", app.config["CONTENT_DIR"])
    assert html.count("<fieldset") == len(quiz.items)
    assert html.count("<legend") == len(quiz.items)
    for fid in re.findall(r'<(?:input|select)[^>]* id="(q-[^"]+)"', html):
        assert f'for="{fid}"' in html, f"no label for {fid}"
    assert 'aria-live="polite"' in html
    case_item = next(item for item in quiz.items if item.case)
    assert 'class="quiz-item__case"' in html and case_item.case.split(".")[0].replace("'", "&#39;") in html


@pytest.mark.parametrize("quiz_id", [quiz.id for quiz in all_quizzes() if not quiz.pool])
def test_every_check_scores_right_and_wrong_answers_through_the_form(client, learner, app, quiz_id):
    quiz = get_quiz(quiz_id, app.config["CONTENT_DIR"])
    html = client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
    right = client.post(f"/quizzes/{quiz_id}", data=answer_data(html, quiz, right=True))
    assert right.status_code == 302, right.get_data(as_text=True)[:500]
    html = client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
    wrong = client.post(f"/quizzes/{quiz_id}", data=answer_data(html, quiz, right=False))
    assert wrong.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == learner).order_by(QuizAttempt.id)
        ).all()
        assert [r.percent for r in rows] == [100, 0], quiz_id
        assert rows[0].item_order == [item.id for item in quiz.items]


def test_incomplete_submission_shows_errors_tied_to_each_question(client, learner):
    response = client.post("/quizzes/mapping", data={"attempt": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in html and "6 questions still need an answer" in html
    assert 'aria-describedby="err-map-1"' in html and 'id="err-map-1"' in html
    assert 'aria-invalid="true"' in html


def test_partial_answers_are_kept_when_the_form_comes_back(client, learner, app):
    quiz = get_quiz("mapping", app.config["CONTENT_DIR"])
    html = client.get("/quizzes/mapping").get_data(as_text=True)
    data = answer_data(html, quiz, right=True)
    del data["q-map-3"]
    again = client.post("/quizzes/mapping", data=data).get_data(as_text=True)
    assert "1 question still needs an answer" in again
    chosen = data["q-map-4"][0]
    assert re.search(rf'name="q-map-4" value="{chosen}" checked', again)
    assert 'aria-describedby="err-map-3"' in again
    assert parse_quiz(again).values() == parse_quiz(html).values(), "the same attempt comes back"


def test_a_stale_or_forged_attempt_number_scores_nothing(client, learner, app):
    quiz = get_quiz("icpm", app.config["CONTENT_DIR"])
    html = client.get("/quizzes/icpm").get_data(as_text=True)
    data = answer_data(html, quiz, right=True)
    for bad in ("9", "0", "x"):
        response = client.post("/quizzes/icpm", data={**data, "attempt": bad})
        assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/icpm")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_values_from_another_attempt_count_as_no_answer(client, learner, app):
    quiz = get_quiz("icpm", app.config["CONTENT_DIR"])
    first_html = client.get("/quizzes/icpm").get_data(as_text=True)
    client.post("/quizzes/icpm", data=answer_data(first_html, quiz, right=True))
    old = answer_data(first_html, quiz, right=True)
    response = client.post("/quizzes/icpm", data={**old, "attempt": "2"})
    assert response.status_code == 400, "the first page's values mean nothing in the second attempt"


def test_submission_is_scored_stored_and_explained(client, learner, app):
    sent = []

    def listener(sender, **kwargs):
        sent.append({**kwargs, "user_id": kwargs["user"].id})

    quiz = get_quiz("mapping", app.config["CONTENT_DIR"])
    html = client.get("/quizzes/mapping").get_data(as_text=True)
    quiz_scored.connect(listener, weak=False)
    try:
        response = client.post("/quizzes/mapping", data=answer_data(html, quiz, right=True))
    finally:
        quiz_scored.disconnect(listener)
    assert response.status_code == 302 and "/quizzes/attempts/" in response.headers["Location"]
    assert sent and sent[0]["quiz_id"] == "mapping" and sent[0]["score"] == sent[0]["max_score"] == len(quiz.items)
    assert sent[0]["user_id"] == learner
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in result and "✓ </span>Right" in result
    for item in quiz.items:
        for part in item.options or item.pairs or item.entries:
            if getattr(part, "correct", True):
                assert part.explanation.replace("'", "&#39;").replace('"', "&#34;") in result, item.id


def test_wrong_answers_are_marked_in_words_not_colour_alone(client, learner, app):
    quiz = get_quiz("three-questions", app.config["CONTENT_DIR"])
    html = client.get("/quizzes/three-questions").get_data(as_text=True)
    response = client.post("/quizzes/three-questions", data=answer_data(html, quiz, right=False), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Not right" in page and "Not a correct answer" in page and "Your answer" in page and "Correct answer" in page


def test_retake_keeps_best_and_latest(client, learner, app):
    quiz = get_quiz("what-is-sop", app.config["CONTENT_DIR"])
    for right in (True, False):
        html = client.get("/quizzes/what-is-sop").get_data(as_text=True)
        client.post("/quizzes/what-is-sop", data=answer_data(html, quiz, right=right))
    with app.app_context():
        rows = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == learner).order_by(QuizAttempt.id)
        ).all()
        assert [r.percent for r in rows] == [100, 0]
        assert rows[0].item_scores and rows[0].answers and rows[0].kind == "module"
    index = client.get("/quizzes/").get_data(as_text=True)
    row = re.search(r"What SOP Is, and Why check.*?</tr>", index, re.S).group(0)
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
        attempt_number = attempt.id
    other = factory.user()
    auth.login(factory.email(other))
    assert client.get(f"/quizzes/attempts/{attempt_number}").status_code == 404


def test_fetch_submission_returns_the_result_fragment(client, learner, app):
    quiz = get_quiz("icpm", app.config["CONTENT_DIR"])
    html = client.get("/quizzes/icpm").get_data(as_text=True)
    response = client.post("/quizzes/icpm", data=answer_data(html, quiz, right=True),
                           headers={"X-Requested-With": "fetch"})
    data = response.get_json()
    assert response.status_code == 200 and data["percent"] == 100
    assert 'id="quiz-result"' in data["html"] and data["result_url"].startswith("/quizzes/attempts/")
    bad = client.post("/quizzes/icpm", data={"attempt": "2"}, headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {i.id for i in quiz.items}


def test_the_pool_is_not_a_module_check(client, learner):
    response = client.get(f"/quizzes/{POOL_ID}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/#pre-post")
    assert client.get("/quizzes/mapping/pre").status_code == 404
    assert client.get("/quizzes/no-such-check").status_code == 404


# ---------------------------------------------------------------- pre and post

def test_pre_and_post_show_parallel_forms(client, learner, app):
    _complete_course(app, learner)
    pool = get_quiz(POOL_ID, app.config["CONTENT_DIR"])
    pre = parse_quiz(client.get(f"/quizzes/{POOL_ID}/pre").get_data(as_text=True)).order()
    post = parse_quiz(client.get(f"/quizzes/{POOL_ID}/post").get_data(as_text=True)).order()
    assert sorted(pre) == sorted(i.id for i in pool.items_for("pre"))
    assert sorted(post) == sorted(i.id for i in pool.items_for("post"))
    assert sorted(pool.items_by_id[i].pairs_with for i in pre) == sorted(post)
    again = parse_quiz(client.get(f"/quizzes/{POOL_ID}/pre").get_data(as_text=True)).order()
    assert again == pre, "the order is stable within an attempt"


GATES = [
    # (required module ids, completed ids, open?, missing ids)
    (["a", "b", "c"], set(), False, ["a", "b", "c"]),
    (["a", "b", "c"], {"a", "c"}, False, ["b"]),
    (["a", "b", "c"], {"a", "b", "c", "extra"}, True, []),
    ([], set(), True, []),
]


@pytest.mark.parametrize("required,completed,is_open,missing", GATES)
def test_post_check_gate_rule(app, factory, required, completed, is_open, missing):
    class Stub:
        def __init__(self, module_id):
            self.id = module_id

    user_id = factory.user()
    with app.app_context():
        gate = post_check_gate(db.session.get(User, user_id), required=lambda: [Stub(m) for m in required],
                               completed=lambda user: completed)
    assert gate.open == is_open and [m.id for m in gate.missing] == missing
    assert gate.done == len(required) - len(missing)


def test_post_check_is_locked_until_the_required_modules_are_done(client, learner, app):
    pool = get_quiz(POOL_ID, app.config["CONTENT_DIR"])
    pre_html = client.get(f"/quizzes/{POOL_ID}/pre").get_data(as_text=True)
    pre = client.post(f"/quizzes/{POOL_ID}/pre", data=answer_data(pre_html, pool, right=False))
    result = client.get(pre.headers["Location"]).get_data(as_text=True)
    assert "Continue the course" in result and "Take the post-course check" not in result
    index = client.get("/quizzes/").get_data(as_text=True)
    assert f"/quizzes/{POOL_ID}/post" not in index and "Take the post-course check" not in index
    assert "data-post-locked" in index and "Continue the course" in index
    assert "Take the post-course check" not in client.get("/").get_data(as_text=True)

    locked = client.get(f"/quizzes/{POOL_ID}/post")
    page = locked.get_data(as_text=True)
    assert locked.status_code == 200 and "not open yet" in page and "<fieldset" not in page
    with app.app_context():
        modules = list(post_check_gate(db.session.get(User, learner)).required)
    with app.app_context():
        required = [m.id for m in rules_required_modules()]
    assert len(modules) >= 10 and [m.id for m in modules] == required, "the modules the completion rules require"
    assert all(m.title.replace("'", "&#39;") in page for m in modules)
    assert client.post(f"/quizzes/{POOL_ID}/post", data={"attempt": "1"}).status_code == 403
    with app.app_context():
        complete_modules(learner, [m.id for m in modules[:-1]])
    still = client.get(f"/quizzes/{POOL_ID}/post").get_data(as_text=True)
    assert "not open yet" in still and modules[-1].title.replace("'", "&#39;") in still

    _complete_course(app, learner)
    post_html = client.get(f"/quizzes/{POOL_ID}/post").get_data(as_text=True)
    assert "<fieldset" in post_html
    done = client.post(f"/quizzes/{POOL_ID}/post", data=answer_data(post_html, pool, right=True))
    assert done.status_code == 302
    with app.app_context():
        kinds = [a.kind for a in db.session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == POOL_ID)
                                                    .order_by(QuizAttempt.id))]
    assert kinds == ["pre", "post"]


def test_gain_is_post_minus_pre_and_pre_is_taken_once(client, learner, app):
    pool = get_quiz(POOL_ID, app.config["CONTENT_DIR"])
    html = client.get(f"/quizzes/{POOL_ID}/pre").get_data(as_text=True)
    first = client.post(f"/quizzes/{POOL_ID}/pre", data=answer_data(html, pool, right=False))
    assert first.status_code == 302
    pre_page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "explanations appear after you take the post-course check" in pre_page
    assert client.get(f"/quizzes/{POOL_ID}/pre").status_code == 302, "the pre-check is taken once"
    _complete_course(app, learner)
    for right in (True, False):  # the first post try counts; the second is practice
        html = client.get(f"/quizzes/{POOL_ID}/post").get_data(as_text=True)
        client.post(f"/quizzes/{POOL_ID}/post", data=answer_data(html, pool, right=right))
    with app.app_context():
        gain = knowledge_gain(db.session.get(User, learner))
        assert (gain.pre_percent, gain.post_percent, gain.gain) == (0, 100, 100)
        assert gain.post_latest.percent == 0 and gain.post_best.percent == 100
        assert gain.pair_gains == tuple([100.0] * len(pool.items_for("pre")))
    home = client.get("/").get_data(as_text=True)
    assert "+100 points" in home
    index = client.get("/quizzes/").get_data(as_text=True)
    assert "+100 points" in index and "95% confidence interval: +100 to +100 points" in index


# ---------------------------------------------------------------- the gain's confidence interval

T_TABLE = [(1, 12.706), (2, 4.303), (4, 2.776), (12, 2.179), (30, 2.042), (120, 1.980)]


@pytest.mark.parametrize("df,expected", T_TABLE)
def test_t_quantile_matches_the_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


INTERVALS = [
    # (values, expected (low, high) or None below five)
    ([10, 20, 30, 40], None),
    ([10, 20, 30, 40, 50], (30 - 2.7764 * statistics.stdev([10, 20, 30, 40, 50]) / 5 ** 0.5,
                            30 + 2.7764 * statistics.stdev([10, 20, 30, 40, 50]) / 5 ** 0.5)),
    ([5, 5, 5, 5, 5, 5], (5, 5)),
]


@pytest.mark.parametrize("values,expected", INTERVALS)
def test_mean_interval(values, expected):
    interval = mean_interval(values)
    if expected is None:
        assert interval is None
    else:
        assert (interval.low, interval.high) == pytest.approx(expected, abs=0.01)
        assert interval.n == len(values)


def _scores(items, points: list[float]) -> dict[str, float]:
    """Return item scores for the given items, cycling through the points."""
    return {item.id: points[i % len(points)] for i, item in enumerate(items)}


def test_learner_gain_interval_is_paired_over_parallel_items(app, factory):
    user_id = factory.user()
    with app.app_context():
        pool = get_quiz(POOL_ID)
        pre_items = pool.items_for("pre")
        user = db.session.get(User, user_id)
        pre_scores = _scores(pre_items, [0, 1, 0, 0])
        post_scores = {item.pairs_with: 1.0 for item in pre_items}
        for kind, scores in (("pre", pre_scores), ("post", post_scores)):
            db.session.add(QuizAttempt(user_id=user_id, quiz_id=POOL_ID, kind=kind, answers={}, item_scores=scores,
                                       item_order=list(scores), score=sum(scores.values()), max_score=len(scores)))
        db.session.commit()
        gain = knowledge_gain(user)
    diffs = [100 * (1.0 - pre_scores[item.id]) for item in pre_items]
    mean = statistics.fmean(diffs)
    half = t_quantile(0.975, len(diffs) - 1) * statistics.stdev(diffs) / len(diffs) ** 0.5
    assert gain.interval.n == len(pre_items) >= 5
    assert (gain.interval.low, gain.interval.high) == pytest.approx((mean - half, mean + half))
    assert gain.interval.mean == pytest.approx(100 * (len(pre_items) - sum(pre_scores.values())) / len(pre_items))


@pytest.mark.parametrize("paired", [4, 5])
def test_cohort_gain_shows_an_interval_from_five_learners(app, client, factory, auth, paired):
    cohort_id = factory.cohort()
    ids = [factory.user(cohort_id=cohort_id) for _ in range(paired)]
    gains = [10, 20, 30, 40, 50][:paired]
    with app.app_context():
        for user_id, gain in zip(ids, gains, strict=True):
            for kind, score in (("pre", 40), ("post", 40 + gain)):
                db.session.add(QuizAttempt(user_id=user_id, quiz_id=POOL_ID, kind=kind, answers={}, item_scores={},
                                           item_order=[], score=score, max_score=100))
        db.session.commit()
        result = cohort_knowledge_gains(db.session.get(Cohort, cohort_id))
    assert result.paired == paired and result.mean_gain == pytest.approx(statistics.fmean(gains))
    auth.login(factory.email(ids[0]))
    page = client.get("/quizzes/").get_data(as_text=True)
    if paired < 5:
        assert result.interval is None
        assert "appears once at least 5 learners have taken both checks (4 so far)" in page
    else:
        half = 2.7764 * statistics.stdev(gains) / 5 ** 0.5  # t(0.975, 4 df) from the table
        assert (result.interval.low, result.interval.high) == pytest.approx((30 - half, 30 + half), abs=0.01)
        assert f"95% confidence interval {30 - half:+.1f} to {30 + half:+.1f}" in page


def test_cohort_gains_are_aggregates_only(app, factory):
    cohort_id = factory.cohort()
    ids = [factory.user(cohort_id=cohort_id) for _ in range(3)]
    with app.app_context():
        pool = get_quiz(POOL_ID)
        users = [db.session.get(User, i) for i in ids]
        pre_right = {item.id: next(iter(item.correct_indexes))
                     for item in pool.items_for("pre") if item.type == "single"}
        post_right = {item.id: next(iter(item.correct_indexes))
                      for item in pool.items_for("post") if item.type == "single"}
        record_attempt(users[0], pool, "pre", {})
        record_attempt(users[0], pool, "post", post_right)
        record_attempt(users[1], pool, "pre", pre_right)
        record_attempt(users[1], pool, "post", post_right)
        record_attempt(users[2], pool, "pre", {})
        db.session.commit()
        result = cohort_knowledge_gains(db.session.get(Cohort, cohort_id))
        singles = sum(1 for item in pool.items_for("pre") if item.type == "single")
        top = round(100 * singles / len(pool.items_for("pre")))
    assert (result.learners, result.took_pre, result.took_post, result.paired) == (3, 3, 2, 2)
    assert result.mean_pre == pytest.approx(top / 3, abs=0.1)
    assert result.mean_post == top and result.mean_gain == top / 2 and result.improved == 1
    assert result.interval is None, "no interval below five paired learners"
    assert not any(isinstance(v, (list, dict, User)) for v in vars(result).values()), "aggregates only"
