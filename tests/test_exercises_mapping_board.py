"""The mapping board: saving whole boards with revisions, entries in the learner's own words, kept versions,
conflicts between two tabs, the plain form, the page script's JSON routes, and the model map beside the learner's."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from course.exercises import board as boards
from course.exercises.board import BoardInputError, BoardState, Entry, StaleBoard
from course.extensions import db
from course.models import MapBoard, MapBoardRevision, MappingAttempt
from course.vignettes import MAP_COLUMNS, get_vignette

URL = "/exercises/hill-family/mapping"
LABELLED = "Marcus is an abusive alcoholic."  # labels, not what anyone saw: the plain-language check flags it
PLAIN = "Marcus grabbed Jayden (7) by the arm on Saturday night."


@pytest.fixture(scope="module")
def nlp():
    """Load the grader once for the tests that check entries."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def hill(app):
    with app.app_context():
        return get_vignette("hill-family")


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


def _right(vignette) -> dict[str, str]:
    return {f.id: f.category for f in vignette.mapping_facts}


def _state(placements=None, entries=(), scale=None, reason="") -> BoardState:
    return BoardState(dict(placements or {}), tuple(Entry(*e) for e in entries), scale, reason)


def _saved(app, user_id) -> MapBoard | None:
    with app.app_context():
        board = boards.get_board(user_id, "hill-family")
        if board is not None:
            db.session.expunge(board)
        return board


# ---------------------------------------------------------------- reading what the page sends

@pytest.mark.parametrize("raw, message", [
    ([("abc", "not-a-column", "x")], "damaged"),
    ([("ABC!", "harm", "x")], "damaged"),
    ([("abc", "harm", "x"), ("abc", "needs", "y")], "damaged"),
    ([("abc", "harm", "x" * 201)], "201 characters"),
    ([(f"k{n}", "needs", f"point {n}") for n in range(11)], "more than 10 entries"),
])
def test_entries_the_page_never_sends_are_refused_with_what_to_do(raw, message):
    with pytest.raises(BoardInputError, match=message):
        boards.clean_entries(raw)


def test_entries_are_trimmed_to_one_line_and_empty_ones_dropped():
    cleaned = boards.clean_entries([("a1", "harm", "  Jayden has\n four  bruises. "), ("a2", "needs", "   ")])
    assert cleaned == (Entry("a1", "harm", "Jayden has four bruises."),)


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("0", 0), (10, 10), ("7", 7)])
def test_scale_reads_0_to_10(value, expected):
    assert boards.clean_scale(value) == expected


@pytest.mark.parametrize("value", ["11", -1, "x", True, "4.5", "٣"])
def test_scale_refuses_anything_else(value):
    with pytest.raises(BoardInputError, match="0 to 10"):
        boards.clean_scale(value)


def test_json_board_with_an_unknown_column_is_refused(hill):
    fact = hill.mapping_facts[0].id
    with pytest.raises(BoardInputError, match="not a column"):
        boards.state_from_json(hill, {"placements": {fact: "nowhere"}, "entries": []})


# ---------------------------------------------------------------- merging two copies

def test_merge_keeps_both_tabs_changes():
    base = _state({"f1": "harm"}, [("a1", "harm", "one"), ("a2", "needs", "two")], 3, "old reason")
    mine = _state({"f1": "danger", "f2": "grey"}, [("a1", "harm", "one, edited here"), ("a3", "grey", "mine")],
                  3, "old reason")
    theirs = _state({"f1": "harm", "f3": "strength"}, [("a1", "harm", "one"), ("a2", "needs", "two"),
                                                        ("a4", "safety", "theirs")], 6, "their reason")
    merged = boards.merge_states(base, mine, theirs)
    assert merged.placements == {"f1": "danger", "f2": "grey", "f3": "strength"}
    assert [e.key for e in merged.entries] == ["a1", "a4", "a3"]  # a2 removed here; a4 added there; a3 added here
    assert merged.entries[0].text == "one, edited here"
    assert (merged.scale, merged.scale_reason) == (6, "their reason")


# ---------------------------------------------------------------- saving, revisions and kept copies

def test_save_builds_revisions_and_refuses_an_older_copy(app, factory, hill):
    user = factory.user("learner")
    fact = hill.mapping_facts[0].id
    with app.app_context():
        first = boards.save_board(user, hill, _state({fact: "harm"}), 0)
        assert (first.board.revision, first.changed) == (1, True)
        # The same board sent again from a stale copy (a double submit): nothing to resolve, nothing changes.
        again = boards.save_board(user, hill, _state({fact: "harm"}), 0)
        assert (again.board.revision, again.changed) == (1, False)
        with pytest.raises(StaleBoard) as stale:
            boards.save_board(user, hill, _state({fact: "danger"}), 0)
        assert stale.value.board.revision == 1
        with pytest.raises(StaleBoard):  # a first save from a second tab after the first tab created the board
            boards._create(user, hill, _state(), 1)
        second = boards.save_board(user, hill, _state({fact: "danger"}, [("a1", "needs", PLAIN)], 5), 1)
        assert second.board.revision == 2
        assert [(e.key, e.column_id, e.text) for e in second.board.entries] == [("a1", "needs", PLAIN)]
        db.session.commit()


def test_editing_an_entry_drops_its_check(app, factory, hill):
    user = factory.user("learner")
    with app.app_context():
        saved = boards.save_board(user, hill, _state(entries=[("a1", "harm", PLAIN)]), 0)
        entry = saved.board.entries[0]
        assert boards.keep_report(entry, PLAIN, {"findings": []})
        assert not boards.keep_report(entry, "some other text", {"findings": []})  # graded text no longer there
        boards.save_board(user, hill, _state(entries=[("a1", "harm", PLAIN + " Twice.")]), 1)
        assert saved.board.entries[0].report is None
        assert boards.unchecked_entries(saved.board) == saved.board.entries


def test_autosaves_close_together_share_one_kept_copy(app, factory, hill):
    user = factory.user("learner")
    facts = [f.id for f in hill.mapping_facts]
    with app.app_context():
        boards.save_board(user, hill, _state({facts[0]: "harm"}), 0)
        boards.save_board(user, hill, _state({facts[0]: "harm", facts[1]: "danger"}), 1)
        board = boards.get_board(user, hill.id)
        kept = boards.board_revisions(board)
        assert [(k.revision, k.source, len(k.state["placements"])) for k in kept] == [(2, "autosave", 2)]
        kept[0].started_at -= boards.REVISION_GAP + timedelta(seconds=1)  # that copy began long enough ago
        boards.save_board(user, hill, _state({facts[0]: "grey"}), 2)
        boards.save_board(user, hill, _state({facts[0]: "strength"}), 3, source="save")
        kept = boards.board_revisions(board)
        assert [(k.revision, k.source) for k in kept] == [(4, "save"), (3, "autosave"), (2, "autosave")]


def test_save_my_map_on_an_unchanged_map_keeps_it_as_its_own_version(client, learner, app, hill):
    fact = hill.mapping_facts[0].id
    client.post(URL + "/autosave", json=_body(0, {fact: "harm"}))
    assert client.post(URL + "/autosave", json={**_body(1, {fact: "harm"}), "source": "save"}).json["versions"] == 1
    moved = client.post(URL + "/autosave", json=_body(1, {fact: "grey"}))  # a slip, a second later
    assert moved.json["versions"] == 2  # the copy saved on purpose was not overwritten
    with app.app_context():
        kept = boards.board_revisions(boards.get_board(learner, hill.id))
        assert [(k.source, k.state["placements"][fact]) for k in kept] == [("autosave", "grey"), ("save", "harm")]


def test_kept_copies_are_capped(app, factory, hill, monkeypatch):
    monkeypatch.setattr(boards, "MAX_REVISIONS", 3)
    user = factory.user("learner")
    with app.app_context():
        for revision in range(5):
            boards.save_board(user, hill, _state(scale=revision), revision, source="save")
        kept = boards.board_revisions(boards.get_board(user, hill.id))
        assert [k.state["scale"] for k in kept] == [4, 3, 2]


def test_restore_saves_a_kept_copy_as_the_newest_and_keeps_the_one_it_replaced(app, factory, hill):
    user, other = factory.user("learner"), factory.user("learner")
    fact = hill.mapping_facts[0].id
    with app.app_context():
        boards.save_board(user, hill, _state({fact: "harm"}, [("a1", "needs", PLAIN)], 4, "why"), 0, source="save")
        boards.save_board(user, hill, _state(), 1, source="save")  # everything cleared by mistake
        old = boards.board_revisions(boards.get_board(user, hill.id))[1]
        restored = boards.restore_revision(user, hill, old.id, 2)
        assert restored.board.revision == 3
        assert boards.state_of(restored.board) == _state({fact: "harm"}, [("a1", "needs", PLAIN)], 4, "why")
        assert [k.source for k in boards.board_revisions(restored.board)] == ["restore", "save", "save"]
        assert not boards.restore_revision(user, hill, old.id, 2).changed  # the same map again: nothing to do
        cleared = boards.board_revisions(restored.board)[1]
        with pytest.raises(StaleBoard):  # restoring from a list opened before the last save
            boards.restore_revision(user, hill, cleared.id, 2)
        boards.save_board(other, hill, _state(scale=1), 0)
        with pytest.raises(LookupError):
            boards.restore_revision(other, hill, old.id, 1)


def test_progress_needs_every_fact_and_an_entry_in_every_column(hill):
    entries = [Entry(f"k{n}", c, "a point") for n, c in enumerate(MAP_COLUMNS)]
    assert boards.progress_of(hill, _right(hill), entries).complete
    partial = boards.progress_of(hill, {}, entries[:-1])
    assert partial.unplaced == len(hill.mapping_facts)
    assert partial.empty_columns == ("needs",)


# ---------------------------------------------------------------- the plain form (no JavaScript)

def _form(revision: int, action: str, placements=None, **fields) -> dict:
    data = {f"fact_{fid}": column for fid, column in (placements or {}).items()}
    data.update(revision=str(revision), action=action, **fields)
    return data


def test_empty_state_says_what_to_do(client, learner):
    page = client.get(URL).get_data(as_text=True)
    assert "Not started yet" in page
    assert "Earlier versions are listed here once your map is saved." in page
    assert "The model map opens when every fact is placed" in page
    versions = client.get(URL + "/versions").get_data(as_text=True)
    assert "No versions yet." in versions and "Open the map" in versions


def test_the_case_sidebar_shows_the_maps_status(client, learner, hill):
    assert re.search(r'>Map it</a> <span class="steps__status">Not started</span>',
                     client.get("/exercises/hill-family").get_data(as_text=True))
    client.post(URL + "/autosave", json=_body(0, {hill.mapping_facts[0].id: "harm"}))
    assert re.search(r'>Map it</a> <span class="steps__status">Saved just now</span>',
                     client.get("/exercises/hill-family").get_data(as_text=True))


def test_plain_form_adds_checks_and_removes_entries(client, learner, app, hill, nlp):
    response = client.post(URL, data=_form(0, "add:needs", **{"new-needs": LABELLED}))
    assert response.status_code == 302 and response.headers["Location"].endswith("#column-needs")
    board = _saved(app, learner)
    assert board.revision == 1
    with app.app_context():
        entry = db.session.scalar(select(MapBoard).where(MapBoard.user_id == learner)).entries[0]
        assert entry.text == LABELLED and entry.report["findings"]  # checked once the board was safe
        key = entry.key
    page = client.get(URL).get_data(as_text=True)
    assert f'name="entry-{key}-text"' in page and LABELLED in page
    assert 'class="flag"' in page and "Plain words" not in page  # the label is flagged, on the server page too
    assert "Earlier versions of this map (<span data-versions-count>1</span>)" in page
    # A word typed in an add box is saved with any button, so nothing typed is lost.
    client.post(URL, data=_form(1, "save", **{f"entry-{key}-text": LABELLED, f"entry-{key}-column": "needs",
                                             "new-grey": "Nobody knows how much Marcus drinks."}))
    with app.app_context():
        texts = [(e.column_id, e.text) for e in boards.get_board(learner, hill.id).entries]
    assert texts == [("needs", LABELLED), ("grey", "Nobody knows how much Marcus drinks.")]
    response = client.post(URL, data=_form(2, f"remove:{key}", **{f"entry-{key}-text": LABELLED,
                                                                  f"entry-{key}-column": "needs"}))
    assert response.headers["Location"].endswith("#column-needs")
    with app.app_context():
        assert [e.text for e in boards.get_board(learner, hill.id).entries] == []


def _entry_fields(entries) -> dict:
    fields = {}
    for key, column, text in entries:
        fields[f"entry-{key}-text"], fields[f"entry-{key}-column"] = text, column
    return fields


@pytest.mark.parametrize("action, expected", [
    ("up:b2", ["b2", "a1", "c3"]),
    ("down:a1", ["b2", "a1", "c3"]),
    ("up:a1", ["a1", "b2", "c3"]),  # already first: nothing moves
    ("down:c3", ["a1", "b2", "c3"]),  # c3 is the only entry in its column
    ("remove:b2", ["a1", "c3"]),
])
def test_plain_form_entry_buttons_reorder_and_remove(client, learner, app, hill, action, expected):
    entries = [("a1", "needs", "one"), ("b2", "needs", "two"), ("c3", "grey", "three")]
    client.post(URL + "/autosave", json=_body(0, entries=entries))
    response = client.post(URL, data=_form(1, action, **_entry_fields(entries)))
    assert response.headers["Location"].endswith("#column-" + ("grey" if action.endswith("c3") else "needs"))
    with app.app_context():
        assert [e.key for e in boards.get_board(learner, hill.id).entries] == expected


def test_plain_form_moves_an_entry_to_another_column_with_its_menu(client, learner, app, hill):
    client.post(URL + "/autosave", json=_body(0, entries=[("a1", "danger", "Marcus may grab Jayden again.")]))
    page = client.get(URL).get_data(as_text=True)
    assert re.search(r'<label class="entry__tool-label" for="entry-a1-column">Column<span', page)
    client.post(URL, data=_form(1, "save", **_entry_fields([("a1", "needs", "Marcus may grab Jayden again.")])))
    with app.app_context():
        assert [e.column_id for e in boards.get_board(learner, hill.id).entries] == ["needs"]


def test_plain_form_from_an_older_copy_shows_the_newer_map_with_this_pages_changes(client, learner, app, hill):
    facts = [f.id for f in hill.mapping_facts]
    client.post(URL, data=_form(0, "save", {facts[0]: "harm"}))
    base = json.dumps({"placements": {facts[0]: "harm"}, "entries": [], "scale": None, "scale_reason": ""})
    client.post(URL, data=_form(1, "save", {facts[0]: "harm", facts[1]: "danger"}, base=base))  # "tab A"
    response = client.post(URL, data=_form(1, "save", {facts[0]: "harm", facts[2]: "grey"}, base=base))  # "tab B"
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed in another tab or window" in page
    for fid, column in ((facts[1], "danger"), (facts[2], "grey")):  # both tabs' placements are on the page
        assert re.search(rf'name="fact_{fid}".*?<option value="{column}" selected', page, re.S)
    assert 'name="revision" value="2"' in page
    assert _saved(app, learner).placements == {facts[0]: "harm", facts[1]: "danger"}  # nothing overwritten


def test_a_complete_check_shows_the_learners_map_beside_the_model_map(client, learner, app, hill, nlp):
    fields = {f"new-{c}": f"{PLAIN} ({c})" for c in MAP_COLUMNS}
    response = client.post(URL, data=_form(0, "check", _right(hill), scale="4", scale_reason="Tanya protects him.",
                                           **fields))
    assert re.search(r"/mapping/\d+$", response.headers["Location"])
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your map beside the model map" in result
    assert result.count('class="compare__row"') == len(MAP_COLUMNS)
    for column in MAP_COLUMNS:
        assert f"({column})" in result
        for text in hill.model_map.get(column, [])[:1]:
            assert text.replace("'", "&#39;") in result
    with app.app_context():
        attempt = db.session.scalar(select(MappingAttempt).where(MappingAttempt.user_id == learner))
        assert len(attempt.entries) == len(MAP_COLUMNS) and all(e["report"] for e in attempt.entries)


def test_checking_the_same_map_twice_keeps_one_try(client, learner, app, hill):
    form = _form(0, "check", _right(hill), scale="4", scale_reason="Tanya protects him.")
    first = client.post(URL, data=form)
    second = client.post(URL, data=form)  # a double click without the page script: same revision, same map
    assert first.headers["Location"] == second.headers["Location"]
    third = client.post(URL, data={**form, "revision": "1", "scale": "5"})
    assert third.headers["Location"] != first.headers["Location"]
    with app.app_context():
        assert len(db.session.scalars(select(MappingAttempt)).all()) == 2


def test_an_incomplete_check_keeps_the_model_map_closed(client, learner, hill):
    response = client.post(URL, data=_form(0, "check", _right(hill), scale="4", scale_reason="Tanya protects him."))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The model map opens when your map is complete" in result
    assert 'class="compare__row"' not in result
    assert hill.model_map["needs"][0].replace("'", "&#39;") not in result


# ---------------------------------------------------------------- the page script's JSON routes

def _body(revision: int, placements=None, entries=(), scale=None, reason="") -> dict:
    return {"revision": revision, "placements": placements or {}, "scale": scale, "scale_reason": reason,
            "entries": [{"key": k, "column": c, "text": t} for k, c, t in entries]}


def test_autosave_then_a_second_tab_gets_409_with_the_saved_board(client, learner, hill):
    fact = hill.mapping_facts[0].id
    first = client.post(URL + "/autosave", json=_body(0, {fact: "harm"}))
    assert first.status_code == 200 and first.json["revision"] == 1 and first.json["changed"]
    double = client.post(URL + "/autosave", json=_body(0, {fact: "harm"}))  # the same save sent twice
    assert double.status_code == 200 and double.json == {**first.json, "changed": False}
    stale = client.post(URL + "/autosave", json=_body(0, {fact: "grey"}))
    assert stale.status_code == 409 and stale.json["code"] == "stale"
    assert stale.json["server"]["state"]["placements"] == {fact: "harm"}
    saved = client.get(URL + "/saved").json
    assert (saved["revision"], saved["state"]["placements"]) == (1, {fact: "harm"})


@pytest.mark.parametrize("body, status", [
    ([], 400),
    ({"placements": {}, "entries": []}, 400),
    ({"revision": True, "placements": {}, "entries": []}, 400),
    ({"revision": 0, "placements": [], "entries": []}, 422),
    ({"revision": 0, "placements": {}, "entries": [{"key": "a1", "column": "harm"}]}, 422),
    ({"revision": 0, "placements": {}, "entries": [], "scale": 12}, 422),
])
def test_autosave_refuses_a_board_it_cannot_read_with_a_message(client, learner, body, status):
    response = client.post(URL + "/autosave", json=body)
    assert response.status_code == status
    assert response.json["error"]


def test_check_route_flags_a_label_and_passes_plain_words(client, learner, nlp):
    response = client.post(URL + "/check", json=_body(0, entries=[("a1", "harm", LABELLED), ("a2", "harm", PLAIN)]))
    assert response.status_code == 200 and response.json["grader_error"] is None
    flags = response.json["flags"]
    assert 'class="flag"' in flags["a1"] and 'href="#f-a1-1"' in flags["a1"]  # anchors unique on the page
    assert "Plain words" in flags["a2"]


def test_json_routes_need_a_sign_in(client):
    assert client.post(URL + "/autosave", json=_body(0)).status_code == 401
    assert client.get(URL + "/saved").status_code == 401


# ---------------------------------------------------------------- earlier versions, listed and restorable

def test_versions_are_listed_and_one_can_be_restored(client, learner, app, hill):
    facts = [f.id for f in hill.mapping_facts]
    client.post(URL, data=_form(0, "save", {facts[0]: "harm"}, **{"new-needs": PLAIN}))
    client.post(URL, data=_form(1, "save", {}))  # the map cleared
    page = client.get(URL + "/versions").get_data(as_text=True)
    assert page.count('class="version-card card"') == 2
    assert "Your map now" in page and "0 of" in page and f"1 of {len(facts)} facts placed" in page
    assert PLAIN in page
    with app.app_context():
        older = boards.board_revisions(boards.get_board(learner, hill.id))[1].id
    assert client.post(f"{URL}/versions/{older}/restore", data={"revision": "1"}).status_code == 302
    assert "nothing was restored" in client.get(URL + "/versions").get_data(as_text=True)  # an older page's button
    response = client.post(f"{URL}/versions/{older}/restore", data={"revision": "2"})
    assert response.headers["Location"].endswith("/mapping#board-status")
    board = _saved(app, learner)
    assert (board.revision, board.placements) == (3, {facts[0]: "harm"})
    assert "Restored that version" in client.get(URL).get_data(as_text=True)
    assert client.get(URL + "/versions").get_data(as_text=True).count('class="version-card card"') == 3


def test_someone_elses_version_cannot_be_restored(client, auth, factory, app, hill):
    owner = factory.user("learner")
    auth.login(factory.email(owner))
    client.post(URL, data=_form(0, "save", {hill.mapping_facts[0].id: "harm"}))
    with app.app_context():
        kept = db.session.scalar(select(MapBoardRevision)).id
    auth.logout()
    auth.login(factory.email(factory.user("learner")))
    client.post(URL, data=_form(0, "save", {}))
    assert client.post(f"{URL}/versions/{kept}/restore", data={"revision": "1"}).status_code == 404
