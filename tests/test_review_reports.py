"""Cohen's kappa, grader agreement, the cohort debrief charts and the CSV exports."""
from __future__ import annotations

import csv
import io
import re

import pytest

from course.extensions import db
from course.models import MappingAttempt
from course.review.analytics import cohens_kappa, kappa_words
from course.review.charts import bar_chart
from course.review.exports import safe_cell, to_csv
from grader.vocabulary import category_label
from tests.test_review import HARM_TEXT, REVISED_TEXT, graded_report, send_decisions, set_of, submit_work

# ---------------------------------------------------------------- kappa

def test_kappa_on_a_known_two_by_two_table():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # observed 0.70; chance 0.5*0.6 + 0.5*0.4 = 0.50; kappa = 0.20 / 0.50 = 0.40
    assert cohens_kappa([[20, 5], [10, 15]]) == pytest.approx(0.4)


def test_kappa_on_a_known_three_by_three_table():
    # rows sum 30/40/30, columns 30/35/35, 100 items, 70 on the diagonal:
    # chance = (30*30 + 40*35 + 30*35) / 100^2 = 0.335; kappa = (0.70 - 0.335) / 0.665 = 0.5489
    table = [[20, 5, 5], [10, 25, 5], [0, 5, 25]]
    assert cohens_kappa(table) == pytest.approx(0.365 / 0.665)


@pytest.mark.parametrize("table,expected", [
    ([[10, 0], [0, 10]], 1.0),      # perfect agreement
    ([[0, 10], [10, 0]], -1.0),     # perfect disagreement
    ([[25, 25], [25, 25]], 0.0),    # no better than chance
])
def test_kappa_limits(table, expected):
    assert cohens_kappa(table) == pytest.approx(expected)


def test_kappa_is_undefined_without_data_or_variety():
    assert cohens_kappa([[0, 0], [0, 0]]) is None
    assert cohens_kappa([[7, 0], [0, 0]]) is None  # both raters used one category only
    assert kappa_words(None) == "not defined yet"
    with pytest.raises(ValueError):
        cohens_kappa([[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("kappa,words", [(-0.1, "less than chance"), (0.0, "slight"), (0.1, "slight"), (0.4, "fair"),
                                         (0.55, "moderate"), (0.7, "substantial"), (0.9, "almost perfect")])
def test_kappa_words(kappa, words):
    assert kappa_words(kappa) == words


# ---------------------------------------------------------------- agreement page

def test_agreement_page_counts_decisions_against_verdicts(app, client, auth, world):
    ready, revise = REVISED_TEXT, HARM_TEXT
    assert graded_report(ready)["verdict"] == "ready" and graded_report(revise)["verdict"] == "revise"
    # accept+ready, accept+revise, return+revise, return+revise -> agreed 3 of 4
    plan = [(ready, "accept"), (revise, "accept"), (revise, "return"), (revise, "return")]
    ids = [submit_work(app, world["priya"], position=i + 1, text=t) for i, (t, _) in enumerate(plan)]
    auth.login("t1@example.org")
    sent = send_decisions(client, app, {work_id: decision for work_id, (_, decision) in zip(ids, plan, strict=True)})
    assert sent.status_code == 302
    page = client.get("/review/agreement").get_data(as_text=True)
    expected = cohens_kappa([[1, 1], [0, 2]])
    assert "<strong>75%</strong> agreement" in page and "(3 of 4)" in page
    assert f"<strong>{expected:.2f}</strong>" in page
    # the trainer of another cohort sees none of it
    auth.logout()
    auth.login("t3@example.org")
    assert "(3 of 4)" not in client.get("/review/agreement").get_data(as_text=True)
    assert client.get(f"/review/agreement?cohort={world['a']}").status_code == 404


def test_agreement_lists_not_an_issue_rules_and_missed_problems(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(set_of(app, work_id) + "/claim")
    client.post(f"/review/{work_id}/findings/1")
    p = f"w{work_id}-missed-"
    client.post(f"/review/{work_id}/missed", data={p + "category": "judgmental", p + "quote": "bruises",
                                                   p + "note": "Not judgmental really; testing."})
    page = client.get("/review/agreement").get_data(as_text=True)
    assert "<code>label.neglect</code>" in page and "<q>neglected</q>" in page
    assert category_label("judgmental") in page and "Not judgmental really; testing." in page


# ---------------------------------------------------------------- debrief analytics

def test_cohort_analytics_charts_with_tables(app, client, auth, world):
    submit_work(app, world["priya"])
    submit_work(app, world["omar"])
    with app.app_context():
        db.session.add(MappingAttempt(user_id=world["priya"], vignette_id="hill-family",
                                      placements={"f1": "danger", "f2": "harm"}, correct=1, total=14))
        db.session.add(MappingAttempt(user_id=world["omar"], vignette_id="hill-family",
                                      placements={"f1": "complicating", "f2": "harm"}, correct=1, total=14))
        db.session.commit()
    auth.login("t1@example.org")
    page = client.get(f"/review/cohorts/{world['a']}/analytics").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 3
    assert f"<td>{category_label('vague_label')}</td><td>2</td><td>neglected</td>" in page
    assert "<td>What the caregiver did</td><td>2 of 2</td>" in page
    assert "Marcus grabbed Jayden hard by the left upper arm" in page and "<td>2 of 2</td>" in page
    assert "Priya" not in page and "Omar" not in page


def test_bar_chart_escapes_labels_and_scales_bars():
    svg = str(bar_chart("Findings", [("<b>jargon</b>", 4), ("vague label", 2)]))
    assert "&lt;b&gt;jargon&lt;/b&gt;" in svg and "<b>" not in svg
    widths = [int(w) for w in re.findall(r'class="chart__bar" x="0" y="\d+" width="(\d+)"', svg)]
    assert widths[0] == 2 * widths[1]


# ---------------------------------------------------------------- CSV

@pytest.mark.parametrize("value,expected", [
    ("=SUM(A1:A3)", "'=SUM(A1:A3)"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"), ("plain", "plain"), (3, 3), (-1.5, -1.5), (None, ""),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_to_csv_protects_every_cell():
    rows = list(csv.reader(io.StringIO(to_csv(["=head"], [["=HYPERLINK(\"x\")"], ["ok"]]))))
    assert rows == [["'=head"], ["'=HYPERLINK(\"x\")"], ["ok"]]


def test_review_and_progress_csv_contents(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(set_of(app, work_id) + "/claim")
    client.post(f"/review/{work_id}/comments", data={f"w{work_id}-comment-quote": "neglected",
                                                     f"w{work_id}-comment-body": "=cmd|' /C calc'!A0"})
    send_decisions(client, app, {work_id: "return"}, "+Good work", **{f"w{work_id}-when-score": "partly"})
    response = client.get(f"/review/cohorts/{world['a']}/reviews.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffLearner,")  # the byte-order mark: Excel reads the names as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Learner"] == "Priya Patelson" and row["Decision"] == "Returned for revision"
    assert row["Rubric Meets (%)"] == "80" and row["Grader verdict"] == "revise" and row["Reviewer"] == "Tara One"
    assert row["Overall comment"] == "'+Good work"
    assert "When or how often: Partly" in row["Rubric"]
    assert row["Inline comments"] == "\"neglected\": =cmd|' /C calc'!A0"  # not at the start: harmless

    progress = list(
        csv.DictReader(io.StringIO(client.get(f"/review/cohorts/{world['a']}/progress.csv").get_data(as_text=True)
                                   .removeprefix("\ufeff")))
    )
    assert [p["Learner"] for p in progress] == ["Omar Okonkwo", "Priya Patelson"]
    priya = progress[1]
    assert priya["Email"] == "priya@example.org" and priya["Returned"] == "1" and priya["Submitted"] == "0"
    # the family's title and the statuses' words, never the stored ids
    assert priya["Statements"] == "The Hill family: Harm Statement = Returned for revision"
    assert "in_review" not in progress[0] and "In review" in progress[0]
    assert int(priya["Modules in course"]) > 0
