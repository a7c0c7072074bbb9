"""Batch grading across processes gives exactly the reports that one-by-one grading gives, in order."""

import pytest

from grader import grade, grade_many
from grader.evaluate import DEFAULT_CORPUS, load_corpus
from tests.grader_fixtures import course_rosters


@pytest.mark.slow
def test_multi_process_batch_matches_one_by_one(nlp):
    rows = load_corpus(DEFAULT_CORPUS)[:150]
    folder = course_rosters()
    items = [{"kind": r["kind"], "text": r["text"], "roster": folder.get(r.get("vignette"))} for r in rows]
    batch = grade_many(items, batch_size=32, n_process=2)
    assert len(batch) == len(items)
    for item, report in zip(items, batch, strict=True):
        assert report.to_dict() == grade(item["kind"], item["text"], roster=item["roster"]).to_dict(), item["text"]
