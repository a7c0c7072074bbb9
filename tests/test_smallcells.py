"""Small-cell suppression (course/pilot/smallcells.py) holds under differences of any two offered views,
and the pilot report applies it: all cohorts minus one cohort never reveals a lone learner."""
from __future__ import annotations

import csv
import io
from itertools import combinations
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from course.pilot.report import ALL, ReportFilter, view_shown, views_of
from course.pilot.smallcells import MIN_GROUP, shown_views
from tests.test_pilot_support import add_evaluation, add_feedback, utc

COHORTS, MONTHS = 3, 3

# A population: each person has a cohort (None: in no cohort), a month and whether they also sent the evaluation.
people = st.lists(st.tuples(st.one_of(st.none(), st.integers(1, COHORTS)), st.integers(1, MONTHS), st.booleans()),
                  max_size=60)


def offered_views(population, admin: bool):
    """Return every view the report offers (cohort x month x everyone/evaluated) and the admission order."""
    flt = ReportFilter(cohorts=[SimpleNamespace(id=c) for c in range(1, COHORTS + 1)], admin=admin)
    rows = [(person, cohort, f"2027-0{month}") for person, (cohort, month, _) in enumerate(population)
            if admin or cohort is not None]
    base, order = views_of(rows, flt)
    evaluated = {p for p, (_, _, sent) in enumerate(population) if sent}
    views = {("everyone", *k): v for k, v in base.items()} | {("evaluated", *k): v & evaluated for k, v in base.items()}
    return views, [(variant, *k) for k in order for variant in ("everyone", "evaluated")]


@settings(max_examples=400, deadline=None)
@given(people, st.booleans())
def test_no_two_shown_views_differ_by_one_to_four_people(population, admin):
    views, order = offered_views(population, admin)
    shown = shown_views(views, order)
    for a, b in combinations(sorted(shown, key=str), 2):
        for left, right in ((views[a], views[b]), (views[b], views[a])):
            if left >= right:  # the property asked for: for shown A ⊇ B, |A| - |B| is 0 or >= 5
                assert len(left) - len(right) == 0 or len(left) - len(right) >= MIN_GROUP, (a, b)
            gap = len(left - right)  # and more: either one-sided difference of any two shown views
            assert gap == 0 or gap >= MIN_GROUP, (a, b, gap)
    for key in shown:
        assert not 0 < len(views[key]) < MIN_GROUP, key


@settings(max_examples=300, deadline=None)
@given(people, st.booleans())
def test_every_group_of_alike_people_has_five_or_more(population, admin):
    """The documented rule, which covers any sum of shown views (all - A - B = C, not only pairs)."""
    views, order = offered_views(population, admin)
    shown = sorted(shown_views(views, order), key=str)
    groups: dict[tuple, int] = {}
    for person in range(len(population)):
        signature = tuple(person in views[key] for key in shown)
        if any(signature):
            groups[signature] = groups.get(signature, 0) + 1
    assert all(size >= MIN_GROUP for size in groups.values()), groups


@settings(max_examples=150, deadline=None)
@given(people)
def test_asking_for_one_view_at_a_time_gives_the_same_answer(population):
    """The report decides each requested view from the whole family, so no order of asking shows more."""
    cohorts = [SimpleNamespace(id=c) for c in range(1, COHORTS + 1)]
    rows = [(person, cohort, f"2027-0{month}") for person, (cohort, month, _) in enumerate(population)]
    views, order = views_of(rows, ReportFilter(cohorts=cohorts, admin=True))
    shown = shown_views(views, order)
    for cohort in [None, *cohorts]:
        for period in [None, *(f"2027-0{m}" for m in range(1, MONTHS + 1))]:
            flt = ReportFilter(cohorts=cohorts, cohort=cohort, period=period, admin=True, everything=cohort is None)
            assert view_shown(rows, flt) == (flt.key in shown and bool(views[flt.key])), flt.key


@pytest.mark.parametrize("sizes, shown", [
    ({"all": 6, "a": 5}, {"all"}),  # 6 - 5 = 1: the narrower view goes
    ({"all": 10, "a": 5}, {"all", "a"}),  # 10 - 5 = 5
    ({"all": 4, "a": 4}, set()),  # too small on its own
    ({"all": 0}, {"all"}),  # an empty view says nothing
])
def test_nested_views(sizes, shown):
    views = {key: set(range(n)) for key, n in sizes.items()}
    assert shown_views(views, list(sizes)) == shown


def test_three_way_subtraction_is_blocked():
    """All = A + B + C with C a lone person: showing all, A and B would give C by subtraction."""
    a, b, c = set(range(0, 6)), set(range(6, 12)), {12}
    shown = shown_views({"all": a | b | c, "a": a, "b": b, "c": c}, ["all", "a", "b", "c"])
    assert shown == {"all", "a"}  # B is held back: all - A = B + C has 7 people, never C alone


# ---------------------------------------------------------------- through the app: all cohorts minus one cohort

@pytest.fixture
def two_cohorts(app, factory):
    """A trainer with a cohort of five raters and a cohort where one learner rated alone."""
    trainer = factory.user("trainer", email="pilot.trainer@example.org")
    big = factory.cohort("Pilot Big", trainer_id=trainer)
    lone = factory.cohort("Pilot Lone", trainer_id=trainer)
    with app.app_context():
        for index in range(5):
            learner = factory.user("learner", cohort_id=big)
            add_feedback(learner, big, "mapping", usefulness=4, clarity=4, comment=f"big note {index}",
                         when=utc(2027, 3, 2))
            add_evaluation(learner, big, before=2, after=4, keep=f"keep {index}", when=utc(2027, 3, 2))
        alone = factory.user("learner", cohort_id=lone)
        add_feedback(alone, lone, "mapping", usefulness=1, clarity=1, comment="THE LONE LEARNER SPEAKS",
                     when=utc(2027, 3, 9))
        add_evaluation(alone, lone, before=1, after=1, keep="THE LONE EVALUATION", when=utc(2027, 3, 9))
    return trainer, big, lone


def _mapping_row(client, **args):
    """Return (responses, mean usefulness, comment cell) for the mapping module from the modules CSV."""
    text = client.get("/pilot/report/modules.csv", query_string=args).get_data(as_text=True).lstrip("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["module_id"] == "mapping")
    return int(row["responses"]), row["mean_usefulness"]


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_all_cohorts_minus_one_cohort_reveals_nobody(app, client, factory, two_cohorts, role):
    trainer, big, lone = two_cohorts
    viewer = trainer if role == "trainer" else factory.user("admin", email="pilot.admin@example.org")
    client.post("/auth/login", data={"email": factory.email(viewer), "password": "correct horse battery"})
    views = [{}, {"cohort": big}, {"cohort": lone}, {"period": "2027-03"}, {"cohort": big, "period": "2027-03"},
             {"cohort": lone, "period": "2027-03"}]
    figures = {}
    for args in views:
        page = client.get("/pilot/report", query_string=args).get_data(as_text=True)
        for table in ("modules", "comments", "objectives"):
            page += client.get(f"/pilot/report/{table}.csv", query_string=args).get_data(as_text=True)
        n, mean = _mapping_row(client, **args)
        if "THE LONE LEARNER SPEAKS" in page:  # only ever among at least five people's comments
            assert mean and n >= MIN_GROUP, args
        if args.get("cohort") == lone:
            assert "THE LONE LEARNER SPEAKS" not in page and "THE LONE EVALUATION" not in page, args
        if mean:
            figures[tuple(sorted(args.items()))] = (n, float(mean))
    # The attack: sum over all cohorts minus sum over the big cohort is the lone learner's rating.
    everything, big_only = figures.get(()), figures.get((("cohort", big),))
    assert not (everything and big_only), "all cohorts and the big cohort are both shown: 6 - 5 = 1 person"
    assert figures, "the report should still show something for six raters"
    for (n1, _), (n2, _) in combinations(figures.values(), 2):
        assert abs(n1 - n2) == 0 or abs(n1 - n2) >= MIN_GROUP, figures


def test_the_knowledge_rows_are_checked_against_each_other():
    """Everyone with both checks minus those who also sent the evaluation is a difference too."""
    views = {("everyone", ALL, ALL): set(range(7)), ("evaluated", ALL, ALL): set(range(5))}
    assert shown_views(views, list(views)) == {("everyone", ALL, ALL)}


def test_the_report_says_how_it_keeps_anonymity(app, client, factory, two_cohorts):
    client.post("/auth/login", data={"email": factory.email(two_cohorts[0]), "password": "correct horse battery"})
    page = client.get("/pilot/report").get_data(as_text=True)
    assert "How anonymity is kept" in page and "all cohorts minus one cohort" in page
