"""An id in a URL that no database INTEGER column can hold is a 404, never a 500 (SQLite refused ids past 2**63 and
PostgreSQL past 2**31 with an error from the query itself)."""
from __future__ import annotations

import pytest

from course.converters import MAX_ID, db_int

HUGE = ["99999999999999999999999", str(2**63), str(MAX_ID + 1)]
LEARNER_URLS = ["/quizzes/attempts/{id}", "/review/mine/{id}", "/exercises/hill-family/mapping/{id}",
                "/exercises/hill-family/write/harm/{id}"]
TRAINER_URLS = ["/cohorts/{id}", "/review/{id}", "/review/sets/{id}/hill-family", "/classroom/sessions/{id}",
                "/classroom/exports/{id}", "/cohorts/{id}/attendance"]


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_are_404_for_a_learner(client, auth, factory, value):
    auth.login(factory.email(factory.user("learner", cohort_id=factory.cohort())))
    for url in LEARNER_URLS:
        assert client.get(url.format(id=value)).status_code == 404, url


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_are_404_for_a_trainer(client, auth, factory, value):
    trainer = factory.user("trainer")
    factory.cohort(trainer_id=trainer)
    auth.login(factory.email(trainer))
    for url in TRAINER_URLS:
        assert client.get(url.format(id=value)).status_code == 404, url


def test_the_largest_id_still_matches_the_route(client, auth, factory):
    auth.login(factory.email(factory.user("learner", cohort_id=factory.cohort())))
    response = client.get(f"/quizzes/attempts/{MAX_ID}")
    assert response.status_code == 404 and "We could not find that page" in response.get_data(as_text=True)


QUERY_IDS = HUGE + ["-1", "12abc", "²"]


@pytest.mark.parametrize("value", QUERY_IDS)
@pytest.mark.parametrize(("method", "url", "field", "allowed"), [
    ("get", "/review/agreement", "cohort", {404}),
    ("get", "/review/", "learner", {200}),  # a queue filter that makes no sense is ignored
    ("get", "/review/", "cohort", {200}),
    ("post", "/classroom/sessions", "cohort_id", {302}),  # back to the form with "Choose a cohort."
])
def test_huge_ids_in_query_strings_and_forms_are_never_a_500(client, auth, factory, value, method, url, field,
                                                               allowed):
    trainer = factory.user("trainer")
    factory.cohort(trainer_id=trainer)
    factory.cohort(trainer_id=trainer)
    auth.login(factory.email(trainer))
    if method == "get":
        response = client.get(url, query_string={field: value})
    else:
        response = client.post(url, data={field: value, "day": "1"})
    assert response.status_code in allowed


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("99999999999999999999", None), ("0", 0),
    ("-1", None), (" 1", None), ("1.0", None), ("", None), (None, None), ("٣", None),
])
def test_db_int_accepts_only_ids_an_integer_column_can_hold(value, expected):
    assert db_int(value) == expected
