"""Questions: splitting, whole-question judgement, types, and the child_questions kind.

The development sets: sf_question_types.jsonl (160 single questions, the first set),
sf_question_types_dev2.jsonl (125, new families, typed the way learners type: written before
the whole-question rework), dev3 (97, written after its first round of cue changes), dev4
(64, after the second), dev5 (48, after the third) and dev6 (64, new names, written from the
primer for grader 2.3.0 and committed before its first run). Each newer set was scored once
before any change made for it: dev2 0.824 (with the old splitter), dev3 0.732, dev4 0.828, dev5
0.896, dev6 0.906 (grader 2.2.0); the grader before this work scored 0.832, 0.608, 0.719 and
0.792 on the first four. They are development data now.
sf_question_types_holdout.jsonl is never read while cues are written: only its summary
figure is looked at, and it is kept here as a floor.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from grader import grade
from grader.detectors.child_questions import child_forms, grade_ceiling, word_limit
from grader.questions import closed_form, correct_word, question_data, split_questions
from grader.ruleset import default_ruleset

DATA = Path(__file__).parent / "data"
TYPES = {"exception", "scaling", "coping", "preferred_future", "relationship", "network", "next_step", "other"}
DEV_SETS = [("sf_question_types.jsonl", 0.97), ("sf_question_types_dev2.jsonl", 0.97),
            ("sf_question_types_dev3.jsonl", 0.95), ("sf_question_types_dev4.jsonl", 0.95),
            ("sf_question_types_dev5.jsonl", 0.93), ("sf_question_types_dev6.jsonl", 0.93)]


def load_questions(name: str) -> list[dict]:
    """Read a question set, naming the line of any bad row."""
    rows = []
    for n, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert set(row) == {"id", "text", "type", "open"}, f"{name}:{n}"
        assert row["type"] in TYPES and isinstance(row["open"], bool), f"{name}:{n}"
        rows.append(row)
    return rows


def measure(rows: list[dict]) -> dict:
    """Type and open/closed accuracy, recall per type, and the misses (each row is one question)."""
    good = opened = 0
    per_type: Counter = Counter()
    per_type_good: Counter = Counter()
    misses = []
    for row in rows:
        questions = grade("sf_question", row["text"]).questions
        per_type[row["type"]] += 1
        q = questions[0] if len(questions) == 1 else None
        if q is not None and q.type == row["type"]:
            good += 1
            per_type_good[row["type"]] += 1
        else:
            got = q.type if q else f"{len(questions)} questions"
            misses.append(f"{row['id']}: {row['type']} read as {got}: {row['text']}")
        opened += q is not None and q.open == row["open"]
    return {"type_accuracy": good / len(rows), "open_accuracy": opened / len(rows), "misses": misses,
            "recall": {t: per_type_good[t] / per_type[t] for t in per_type}}


# ---------------------------------------------------------------------------- the sets


def test_every_type_of_the_rules_is_in_the_sets():
    rule_types = {t for t, _ in default_ruleset().question_types} | {"other"}
    assert rule_types == TYPES
    for name, _floor in DEV_SETS:
        assert {r["type"] for r in load_questions(name)} == TYPES, name


@pytest.mark.parametrize("name,floor", DEV_SETS)
def test_development_sets(nlp, name, floor):
    result = measure(load_questions(name))
    assert result["type_accuracy"] >= floor, result["misses"]
    assert min(result["recall"].values()) >= 0.8, result["recall"]  # dev5 has six questions a type
    assert result["open_accuracy"] >= 0.97, result["misses"]


def test_holdout_set_is_sized_and_covers_every_type():
    rows = load_questions("sf_question_types_holdout.jsonl")
    assert len(rows) >= 120 and {r["type"] for r in rows} == TYPES


def test_holdout_set_floor(nlp):
    # Only the figures are reported, never the rows. 0.825 before the whole-question rework,
    # 0.883 after it; open/closed 0.967 (its polite invitations are labelled closed, as the
    # set was written before the primer's section 11).
    result = measure(load_questions("sf_question_types_holdout.jsonl"))
    assert result["type_accuracy"] >= 0.85, f"hold-out type accuracy {result['type_accuracy']:.3f}"
    assert result["open_accuracy"] >= 0.95, f"hold-out open/closed accuracy {result['open_accuracy']:.3f}"


# ---------------------------------------------------------------------------- splitting

SPLITS = [
    ("Do you drink?\nWhy did you hit Jayden?", ["Do you drink?", "Why did you hit Jayden?"]),
    ("what helps you on hard days\nwho could you call when things get tense",
     ["what helps you on hard days", "who could you call when things get tense"]),
    ("1. What went well this week?\n2) Who helped?\n- what would you like to be different",
     ["What went well this week?", "Who helped?", "what would you like to be different"]),
    ("• tell me about a good day\n* On a scale of 0 to 10, where are things today?",
     ["tell me about a good day", "On a scale of 0 to 10, where are things today?"]),
    ("What helped? Who else knows?", ["What helped?", "Who else knows?"]),
    ("Tell me about a time things were calmer. What was different?",
     ["Tell me about a time things were calmer. What was different?"]),
    ("Questions for Tanya:\nI will ask about her week.\nWhat went well?", ["What went well?"]),
    ("I will ask Tanya about her week.", []),
    ("dont you think the kids deserve better\nyou know this cant keep happening, right",
     ["dont you think the kids deserve better", "you know this cant keep happening, right"]),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_split_on_lines_and_question_marks(text, expected):
    assert [text[s:e] for s, e in split_questions(text)] == expected, text


# ---------------------------------------------------------------------------- lexicon tables


def _lexicon_cases():
    for lex in question_data().lexicons.values():
        for text in lex.must_match:
            yield pytest.param(lex.id, text, True, id=f"{lex.id}+:{text[:30]}")
        for text in lex.must_not_match:
            yield pytest.param(lex.id, text, False, id=f"{lex.id}-:{text[:30]}")


def test_every_lexicon_has_its_table():
    for lex in question_data().lexicons.values():
        assert lex.must_match and lex.must_not_match, f"lexicon {lex.id} needs must_match and must_not_match"


@pytest.mark.parametrize("lex_id,text,should", list(_lexicon_cases()))
def test_lexicon_tables(lex_id, text, should):
    lex = question_data().lexicons[lex_id]
    if lex_id == "closed_form":  # the table documents closed_form(), which decides
        assert closed_form(text) is should, f"closed_form on {text!r}"
        return
    verb = "must" if should else "must not"
    assert (lex.search(text) is not None) is should, f"lexicon {lex_id} {verb} match {text!r}"


def test_every_rule_lexicon_exists():
    lexicons = question_data().lexicons
    for rule in default_ruleset().rules:
        for lex_id in rule.opt("lexicons") or ():
            assert lex_id in lexicons, f"rule {rule.id} names unknown lexicon {lex_id}"


# ---------------------------------------------------------------------------- whole-question judgement

JUDGED = [
    # text, category (None: no blocking finding), exact words marked (a substring), open
    ("Whose idea was it to skip the doctor's visits?", "leading_question", "Whose idea was it to skip", True),
    ("When will you start putting your kids first?", "leading_question", "When will you start putting your kids", True),
    ("How long have you been an addict?", "leading_question", "How long have you been an addict", True),
    ("Don't you think Mia deserves better?", "leading_question", "deserves better", False),
    ("Why not just move in with your sister?", "leading_question", "Why not just move in with your sister", True),
    ("Have you thought about rehab?", "leading_question", "Have you thought about rehab", False),
    ("Grace, with everything going on, have you considered asking your mom to stay over?", "leading_question",
     "have you considered asking your mom to stay over", False),
    ("So what were you thinking when you left them in the car?", "leading_question", "what were you thinking", True),
    ("You know the kids deserve a sober mom, don't you?", "leading_question", None, False),
    ("Why did you let him back in?", "why_question", None, True),
    ("Do you drink?", "closed_question", None, False),
    ("you'll call your sister tonight?", "closed_question", None, False),
    ("When you feel like drinking, do you call anyone?", "closed_question", None, False),
    ("When you are feeling stronger, what will you do differently at bedtime?", None, None, True),
    ("When will you call your sister?", None, None, True),
    ("How long have you been sober?", None, None, True),
    ("Can you tell me about a time when things were calmer?", None, None, True),
    ("Could you tell me more about what helped that night?", None, None, True),
    ("Have you thought about what you want for the kids next year?", "closed_question", None, False),
    # round 5: advice as a why-question, a rhetorical "deserve" or "do you know", a presupposed
    # habit, "how do you expect", turning the hurt back on the parent
    ("Why don't you ask your neighbor for help?", "leading_question", "Why don't you ask your neighbor", True),
    ("Why don't you like mornings?", "why_question", None, True),
    ("Do you think Jayden deserves to be scared in his own home?", "leading_question", "deserves to be scared", False),
    ("Do you know the heater could kill your kids?", "leading_question", "the heater could kill", False),
    ("Do you know who could help with pickups?", "closed_question", None, False),
    ("Are you ever going to take this seriously?", "leading_question", "take this seriously", False),
    ("Who watches the kids when you're high?", "leading_question", "when you're high", True),
    ("Who could you call when you feel like using?", None, None, True),
    ("How do you expect your kids to respect you?", "leading_question", "expect your kids to respect you", True),
    ("How would you feel if someone did that to you?", "leading_question", "How would you feel if someone", True),
    ("How would you feel if the kids came home on Friday?", None, None, True),
    # a name said first, accented or not, is not the question: the polite invitation stays open
    ("Ramón, could you tell me about the week the kids stayed with you?", None, None, True),
    ("Zoë, can you tell me about a good morning?", None, None, True),
    ("Ramón, could you keep his keys again?", "closed_question", None, False),
    ("Could you draw me a picture of your house on a good day?", None, None, True),
    ("How long have you been depressed?", "leading_question", "How long have you been depressed", True),
    ("How many times have you relapsed since then?", "leading_question", "How many times have you relapsed", True),
    ("How long have you been using the monitor?", None, None, True),
    ("How many times have you called your sister this month?", None, None, True),
]


@pytest.mark.parametrize("text,category,words,is_open", JUDGED)
def test_whole_question_judgement(nlp, text, category, words, is_open):
    report = grade("sf_question", text)
    errors = [f for f in report.findings if f.category in ("leading_question", "why_question", "closed_question")]
    assert [f.category for f in errors] == ([category] if category else []), (text, errors)
    if words:
        assert words in errors[0].text, (text, errors[0].text)
        assert text[errors[0].start:errors[0].end] == errors[0].text
    assert [q.open for q in report.questions] == [is_open], text


def test_polite_invitation_gets_only_a_gentle_note(nlp):
    report = grade("sf_question", "Can you tell me about a time when things were calmer?")
    assert report.verdict == "ready"
    notes = [f for f in report.findings if f.category == "polite_invitation"]
    assert len(notes) == 1 and notes[0].severity == "info" and notes[0].text == "Can you"


def test_leading_questions_are_not_a_solution_focused_type(nlp):
    text = "Wouldn't it be better to ask Minh for help?\nWhat would Minh say he has seen you do?"
    report = grade("sf_question", text)
    assert [q.type for q in report.questions] == ["other", "relationship"]


# ---------------------------------------------------------------------------- typos

TYPOS = [("sclae", "scale"), ("diferent", "different"), ("relitives", "relatives"), ("mircle", "miracle"),
         ("scared", "scared"), ("scarred", "scarred"), ("coped", "coped"), ("walk", "walk")]


@pytest.mark.parametrize("word,expected", TYPOS)
def test_misspelt_cue_words_are_read_as_the_cue(word, expected):
    from grader.questions import cue_vocabulary
    vocabulary = cue_vocabulary(default_ruleset().question_types, question_data().cue_words)
    assert correct_word(word, vocabulary) == expected


@pytest.mark.parametrize("text,qtype", [
    ("On a sclae of 0 to 10, where are things today?", "scaling"),
    ("what was diferent on the days Abel got to school on time?", "exception"),
    ("Which relitives could take the kids for a night?", "network"),
])
def test_typos_keep_the_type(nlp, text, qtype):
    assert grade("sf_question", text).questions[0].type == qtype


# General forms the type cues must read (grader 2.3.0), each with one that must not be read so.
FORMS = [
    ("Could you tell me about an evening last spring when you wanted a drink and didn't have one?", "exception"),
    ("What made that weekend work?", "exception"),
    ("what did your mom do different that time", "exception"),
    ("What are the good things about bath time?", "exception"),
    ("How come the fighting stopped for a while in the fall?", "exception"),
    ("How have you and your partner kept the baby's feeds on track?", "coping"),
    ("How have you two managed the bills since the layoff?", "coping"),
    ("It's been a rough month. How have you kept the kids fed?", "coping"),
    ("Is your cousin someone you could call at night?", "network"),
    ("Do you have relatives nearby?", "network"),
    ("What would need to happen for you to move from a 3 to a 4?", "next_step"),
    ("What could you do by Friday to get to a 5?", "next_step"),
    ("Which of those ideas could help you now?", "next_step"),
    ("Would you say things are closer to an 8 than a 5?", "scaling"),
    ("What would one number higher look like for you?", "scaling"),
    ("Let's say we meet again in spring and things are going well. What are you doing differently?",
     "preferred_future"),
    ("how are you feeling today?", "other"),
    ("Is it true that you moved out last year?", "other"),
    ("Why did things go better last week?", "other"),
    ("Why didn't you ask your brother for help?", "other"),
    ("How do you feel when things are calmer at home?", "exception"),
    ("Who could you call when you feel like using?", "network"),
    # round 5 (grader 2.4.0): what was already done, asked in the past, is an exception; a
    # clock time is not a scale; "is anyone helping" and "which of them could" ask for people
    ("What did you do to make that happen?", "exception"),
    ("What will you do to make that happen?", "next_step"),
    ("What have you already tried that helped a little?", "exception"),
    ("What's already in place that keeps her away from the stove?", "exception"),
    ("When you felt like yelling and walked away, what did you do instead?", "exception"),
    ("When the baby cries and you manage to stay calm, what helps you do that?", "exception"),
    ("What's been helping you stay sober?", "exception"),
    ("If your sister called you at 6 every night, what would be different?", "preferred_future"),
    ("If you were at a 6, what would be different?", "scaling"),
    ("Is anyone helping you with the kids?", "network"),
    ("Which of them could you call tonight?", "network"),
]

# The parser may run one sentence across a line break; each question's tense is its own.
ACROSS_LINES = [
    ("What helped you get through the week your mom passed?\nWho were the people who showed up for you then?",
     ["coping", "network"]),
    ("What happened on Saturday?\nwhat would help this week", ["other", "next_step"]),
]


@pytest.mark.parametrize("text,types", ACROSS_LINES)
def test_each_question_has_its_own_tense(nlp, text, types):
    assert [q.type for q in grade("sf_question", text).questions] == types


@pytest.mark.parametrize("text,qtype", FORMS)
def test_general_forms_are_typed(nlp, text, qtype):
    assert [q.type for q in grade("sf_question", text).questions] == [qtype]


@pytest.mark.parametrize("text,types", [
    ("If a miracle happened tonight, what would you notice?\nWhat else?", ["preferred_future", "preferred_future"]),
    ("When was a time the kids got to bed on time?\nwhat else", ["exception", "exception"]),
    ("How many drinks do you have?\nWhat else?", ["other", "other"]),
    ("What else?", ["other"]),
])
def test_a_follow_up_carries_on_the_question_before_it(nlp, text, types):
    assert [q.type for q in grade("sf_question", text).questions] == types


# ---------------------------------------------------------------------------- child_questions

OPENING = ("Hi Jayden, I'm Dana. I help kids and families. "
           "We're going to draw three houses, and there are no wrong answers.\n")
PLAN = (OPENING +
        "What would you put in your house of worries?\nWhat are the good things at home?\n"
        "If you had a magic wand, what would you change?\nWho do you go to when you feel scared?\n"
        "Is it okay if I show your houses to your mom and dad?")


def test_a_good_plan_is_ready(nlp):
    report = grade("child_questions", PLAN, child_age=7)
    assert report.verdict == "ready", report.findings
    assert all(c.present for c in report.components)


@pytest.mark.parametrize("missing,part", [
    (OPENING, "opening"),
    ("Is it okay if I show your houses to your mom and dad?", "sharing"),
    ("If you had a magic wand, what would you change?\n", "houses"),
])
def test_each_part_of_the_plan_is_needed(nlp, missing, part):
    report = grade("child_questions", PLAN.replace(missing, ""), child_age=7)
    assert report.verdict == "revise"
    assert [c.id for c in report.components if not c.present] == [part]


def test_a_safety_house_plan_has_its_houses(nlp):
    text = ("My name is Sam and I help families. We're going to draw your safety house.\n"
            "Who lives inside your safety house?\nWho comes to visit?\nWhat are the rules of your house?\n"
            "Who would stay outside the house?\nWhere would you put yourself on the path?\n"
            "Can I show your house to your mom?")
    report = grade("child_questions", text, child_age=6)
    assert {c.id: c.present for c in report.components}["houses"], report.components
    assert report.verdict == "ready", report.findings


CHILD_FLAGS = [
    # text, age, category, marked words
    ("What makes you happy and who do you play with?", 7, "double_question", None),
    ("Did daddy hurt you?", 7, "leading_question", "Did daddy hurt you"),
    ("Were you scared when mommy was yelling?", 9, "leading_question", None),
    ("What did he do to hurt you?", 6, "leading_question", None),
    ("Why did you hide under the bed?", 7, "why_question", None),
    ("Do you like school?", 7, "closed_question", None),
    ("What are your concerns about your living situation?", 8, "child_words", "concerns"),
    ("Who is your caregiver?", 6, "child_words", "caregiver"),
    ("What did you think about the CFT meeting?", 15, "jargon", "CFT"),
    ("What happens when there is domestic violence at home?", 10, "child_words", "domestic"),
    ("What would make your environment feel more predictable?", 6, "child_words", "predictable"),
    ("Did your dad hit you when he was drunk?", 15, "leading_question", None),
]


@pytest.mark.parametrize("text,age,category,words", CHILD_FLAGS)
def test_child_questions_flag(nlp, text, age, category, words):
    report = grade("child_questions", text, child_age=age)
    hits = [f for f in report.findings if f.category == category]
    assert hits, (text, [(f.category, f.text) for f in report.findings])
    if words:
        assert any(f.text == words for f in hits), (text, [f.text for f in hits])
    if category == "leading_question":
        assert not any(f.category == "closed_question" for f in report.findings), text


CHILD_PASSES = [
    ("What makes you happy at home?", 5),
    ("When you feel scared, who do you go to?", 7),
    ("If you had a magic wand, what would you change?", 6),
    ("What happens at home when grown-ups get angry?", 8),
    ("Who takes care of you in the morning?", 5),
    ("Is it okay if I show your drawing to your mom?", 6),
    ("Would you like to draw your houses first?", 5),
    ("What are the things that make you worried when your dad has been drinking?", 15),
    ("How would you like me to share this with your parents and your caseworker?", 16),
    ("What is your relationship with your stepdad like these days?", 15),
]


@pytest.mark.parametrize("text,age", CHILD_PASSES)
def test_child_questions_pass(nlp, text, age):
    report = grade("child_questions", text, child_age=age)
    errors = [(f.category, f.text) for f in report.findings if f.severity == "error"]
    assert not errors, (text, errors)
    assert all(q.open for q in report.questions), text


def test_adolescents_keep_the_openness_rules_without_the_word_limits(nlp):
    words = "What is your relationship with your stepdad like these days?"
    assert any(f.category == "child_words" for f in grade("child_questions", words, child_age=8).findings)
    assert not any(f.category == "child_words" for f in grade("child_questions", words, child_age=15).findings)
    for age in (8, 15):
        assert any(f.category == "double_question"
                   for f in grade("child_questions", "What do you like and what do you hate?", child_age=age).findings)


@pytest.mark.parametrize("age,ceiling", [(4, 1), (6, 1), (7, 2), (10, 5), (13, 8)])
def test_reading_ceiling_by_age(age, ceiling):
    assert grade_ceiling(age, child_forms()) == ceiling


def test_word_limits_loosen_with_age():
    forms = child_forms()
    limits = [word_limit(age, forms) for age in (5, 8, 12)]
    assert [w.max_syllables for w in limits] == sorted(w.max_syllables for w in limits)
    assert word_limit(14, forms) is None and word_limit(17, forms) is None


def test_long_question_for_a_young_child_gets_a_reading_note(nlp):
    text = "What are all the different things that happen at your house in the evening after dinner time?"
    report = grade("child_questions", text, child_age=5)
    notes = [f for f in report.findings if f.category == "readability" and f.rule == "child.reading_level"]
    assert notes and notes[0].severity == "warning" and "grade 1" in notes[0].message
    assert not re.search(r"\{\w+\}", notes[0].message)


@pytest.mark.parametrize(
    "text,qtype",
    [
        ("What does your mom do on good days?", "exception"),
        ("What do you do instead when you manage to stay calm at bedtime?", "exception"),
        ("What helps on the days your back is ok?", "exception"),
        ("What would make it one number higher?", "next_step"),
        ("What would be a sign things are moving in the right direction?", "next_step"),
        ("What would make it easier to call your sister?", "next_step"),
    ],
)
def test_better_days_and_small_moves(nlp, text, qtype):
    assert [q.type for q in grade("sf_question", text).questions] == [qtype]
