"""The review game: a board built from knowledge checks and the glossary, with scores in the database.

Teams are named by the trainer; in individual play each phone is an anonymous
"Player N", so no name ever reaches the projector. A category is a module (its knowledge
checks and glossary terms) or a family case (where its facts go on the map).
"""
from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..converters import db_int
from ..curriculum.services import get_module
from ..extensions import db
from ..models.classroom import ClassSession, GameAnswer, GameAward, GameEntrant, GameMember, LiveParticipant, ReviewGame
from .activities import SUBMIT_KEY
from .services import ClassroomError, bump
from .sources import CASE_PREFIX, SourceError, all_clues, case_clues

MAX_CATEGORIES = 6
CLUES_PER_CATEGORY = 5
POINTS = 100
LETTERS = "ABCDEF"


# ---------------------------------------------------------------- building

def _category(source_id: str, clues_by_module: dict) -> tuple[str, list] | None:
    """Return (header, clues) for a module id or a "case:<family>" id, or None when it has no clues."""
    if source_id.startswith(CASE_PREFIX):
        found = case_clues(source_id[len(CASE_PREFIX):])
        return found if found and found[1] else None
    module = get_module(source_id)
    clues = list(clues_by_module.get(source_id, []))
    if module is None or not clues:
        return None
    # "Key Terms: Harm, Danger, ..." fits a board header as "Key Terms".
    return module.title.split(":")[0].strip(), clues


def build_board(module_ids: list[str], seed: int) -> list[dict]:
    """Return the board: one category per module or family case, up to five clues from 100 to 500 points."""
    try:
        clues_by_module = all_clues()
    except SourceError as exc:
        raise ClassroomError(f"The review game cannot read the knowledge checks: {exc}") from exc
    rng = random.Random(seed)
    board = []
    empty = []
    for module_id in module_ids:
        found = _category(module_id, clues_by_module)
        if found is None:
            empty.append(module_id)
            continue
        header, clues = found
        clues = list(clues)
        rng.shuffle(clues)
        column = []
        for rank, clue in enumerate(clues[:CLUES_PER_CATEGORY], start=1):
            order = list(range(len(clue.options)))
            if not module_id.startswith(CASE_PREFIX):  # map columns keep the map's order
                rng.shuffle(order)  # authors often put the right answer first
            column.append({
                "id": f"{module_id}:{clue.id}", "points": rank * POINTS, "prompt": clue.prompt,
                "options": [clue.options[i] for i in order][: len(LETTERS)], "answer": order.index(clue.answer),
                "explanation": clue.explanation,
            })
        board.append({"category": header, "module_id": module_id, "clues": column})
    if empty:  # nothing is dropped silently: say which choice has no questions
        raise ClassroomError(f"These choices have no questions for the game: {', '.join(empty)}. Untick them.")
    return board


def start_game(
    session: ClassSession, module_ids: list[str], mode: str = "teams", teams: list[str] | None = None
) -> ReviewGame:
    """Create a game for the session and put its board on the screen (the caller commits)."""
    if mode not in ("teams", "individual"):
        raise ClassroomError("Play in teams or as individuals.")
    module_ids = list(dict.fromkeys(m for m in module_ids if isinstance(m, str)))
    if not module_ids:
        raise ClassroomError("Pick at least one module or family case for the game.")
    if len(module_ids) > MAX_CATEGORIES:
        raise ClassroomError(f"A board has up to six categories; you picked {len(module_ids)}. "
                             "Untick some modules or cases.")
    game = ReviewGame(session_id=session.id, mode=mode, module_ids=module_ids,
                      board=build_board(module_ids, random.SystemRandom().randrange(1 << 30)), used_clues=[])
    db.session.add(game)
    db.session.flush()
    if mode == "teams":
        names = [n.strip()[:40] for n in (teams or []) if isinstance(n, str) and n.strip()]
        names = names or ["Team 1", "Team 2", "Team 3"]
        if len(names) > 8:
            raise ClassroomError("Use at most eight teams.")
        for position, name in enumerate(names, start=1):
            db.session.add(GameEntrant(game_id=game.id, label=name, position=position))
    session.game_id = game.id
    session.screen_mode = "game"
    bump(session, "version", "board_version", "queue_version")
    return game


def current_game(session: ClassSession) -> ReviewGame | None:
    """Return the session's game, if one is running."""
    if session.game_id is None:
        return None
    game = db.session.get(ReviewGame, session.game_id)
    return game if game is not None and game.session_id == session.id else None


def find_clue(game: ReviewGame, clue_id: str | None) -> tuple[dict, dict] | None:
    """Return (category, clue) for a clue id."""
    for category in game.board:
        for clue in category["clues"]:
            if clue["id"] == clue_id:
                return category, clue
    return None


# ---------------------------------------------------------------- the trainer's moves

def steer(session: ClassSession, action: str, data: dict) -> None:
    """Apply a console action to the game (the caller commits)."""
    game = current_game(session)
    if game is None:
        raise ClassroomError("Start a review game first.")
    if action == "open":
        if find_clue(game, data.get("clue_id")) is None:
            raise ClassroomError("That question is not on the board.")
        game.current_clue = data["clue_id"]
        game.answer_revealed = False
    elif action == "reveal":
        _reveal(game)
    elif action == "board":
        game.current_clue = None
        game.answer_revealed = False
    elif action == "award":
        _award(game, data)
    elif action == "close":
        session.game_id = None
        session.screen_mode = "slides"
    else:
        raise ClassroomError(f"Unknown game action '{action}'.")
    session.screen_mode = "game" if session.game_id else session.screen_mode
    bump(session, "version", "board_version")


def _reveal(game: ReviewGame) -> None:
    """Show the answer and score the devices' answers once (a team scores when most of its answers are right)."""
    found = find_clue(game, game.current_clue)
    if found is None:
        raise ClassroomError("Open a question first.")
    _category, clue = found
    game.answer_revealed = True
    if clue["id"] not in (game.used_clues or []):
        game.used_clues = [*(game.used_clues or []), clue["id"]]
    answers = db.session.execute(select(GameAnswer.entrant_id, GameAnswer.choice)
                                 .where(GameAnswer.game_id == game.id, GameAnswer.clue_id == clue["id"])).all()
    tally: dict[int, list[int]] = {}
    for entrant_id, choice in answers:
        right, total = tally.get(entrant_id, [0, 0])
        tally[entrant_id] = [right + (choice == clue["answer"]), total + 1]
    already = set(db.session.scalars(select(GameAward.entrant_id).where(GameAward.game_id == game.id,
                                                                        GameAward.clue_id == clue["id"])))
    for entrant_id, (right, total) in tally.items():
        if entrant_id not in already and right > 0 and right * 2 >= total:  # ties count as right
            db.session.add(GameAward(game_id=game.id, entrant_id=entrant_id, clue_id=clue["id"], points=clue["points"]))


def _award(game: ReviewGame, data: dict) -> None:
    """Give or take points by hand (for answers called out in the room)."""
    digits = str(data.get("entrant_id", 0) or 0)
    entrant = db.session.get(GameEntrant, db_int(digits)) if db_int(digits) is not None else None
    if entrant is None or entrant.game_id != game.id:
        raise ClassroomError("Pick a team or player on the scoreboard.")
    try:
        points = int(data.get("points", POINTS))
    except (TypeError, ValueError) as exc:
        raise ClassroomError("Points must be a whole number.") from exc
    if not -1000 <= points <= 1000 or points == 0:
        raise ClassroomError("Award between -1000 and 1000 points.")
    db.session.add(GameAward(game_id=game.id, entrant_id=entrant.id, clue_id=None, points=points))


# ---------------------------------------------------------------- learners playing

def join(session: ClassSession, participant: LiveParticipant, entrant_id=None) -> GameEntrant:
    """Put a participant on a team, or make them an anonymous player (the caller commits)."""
    game = current_game(session)
    if game is None:
        raise ClassroomError("There is no game running.", 409)
    member = _membership(game, participant)
    if game.mode == "teams":
        digits = str(entrant_id or "")
        entrant = db.session.get(GameEntrant, db_int(digits)) if db_int(digits) is not None else None
        if entrant is None or entrant.game_id != game.id:
            raise ClassroomError("Choose one of the teams.")
        if member is None:
            _add_member(game, participant, entrant)
        else:
            member.entrant_id = entrant.id
    else:
        if member is not None:
            return db.session.get(GameEntrant, member.entrant_id)
        entrant = _new_player(game, participant)
    bump(session, "board_version")
    return entrant


def _add_member(game: ReviewGame, participant: LiveParticipant, entrant: GameEntrant) -> None:
    """Record the learner's team, tolerating a duplicate request from a retry."""
    try:
        with db.session.begin_nested():
            db.session.add(GameMember(game_id=game.id, participant_id=participant.id, entrant_id=entrant.id))
    except IntegrityError:
        _membership(game, participant).entrant_id = entrant.id


def _new_player(game: ReviewGame, participant: LiveParticipant) -> GameEntrant:
    """Create 'Player N' for a learner, retrying if another worker took N."""
    for _attempt in range(8):
        position = (
            db.session.scalar(select(func.max(GameEntrant.position)).where(GameEntrant.game_id == game.id)) or 0
        ) + 1
        try:
            with db.session.begin_nested():
                entrant = GameEntrant(game_id=game.id, label=f"Player {position}", position=position,
                                      participant_id=participant.id)
                db.session.add(entrant)
                db.session.flush()
                db.session.add(GameMember(game_id=game.id, participant_id=participant.id, entrant_id=entrant.id))
        except IntegrityError:
            member = _membership(game, participant)
            if member is not None:
                return db.session.get(GameEntrant, member.entrant_id)
            continue
        return entrant
    raise ClassroomError("The room is busy; try again in a moment.", 503)


def _membership(game: ReviewGame, participant: LiveParticipant) -> GameMember | None:
    """Return the participant's team membership in this game."""
    return db.session.scalar(select(GameMember).where(GameMember.game_id == game.id,
                                                      GameMember.participant_id == participant.id))


def answer(session: ClassSession, participant: LiveParticipant, clue_id: str, choice, submit_key: str) -> GameAnswer:
    """Record a learner's answer to the open question; they may change it until the reveal (the caller commits)."""
    game = current_game(session)
    if game is None or game.current_clue != clue_id:
        raise ClassroomError("That question is closed.", 409)
    if game.answer_revealed:
        raise ClassroomError("The answer has been shown; wait for the next question.", 409)
    if not isinstance(submit_key, str) or not SUBMIT_KEY.match(submit_key):
        raise ClassroomError("The answer is missing its key; reload and try again.")
    _category, clue = find_clue(game, clue_id)
    if not isinstance(choice, int) or not 0 <= choice < len(clue["options"]):
        raise ClassroomError("Choose one of the options.")
    member = _membership(game, participant)
    if member is None:
        raise ClassroomError("Join a team first.", 409)
    existing = db.session.scalar(select(GameAnswer).where(GameAnswer.game_id == game.id, GameAnswer.clue_id == clue_id,
                                                          GameAnswer.participant_id == participant.id))
    if existing is not None:
        if existing.submit_key != submit_key:
            existing.choice, existing.submit_key, existing.entrant_id = choice, submit_key, member.entrant_id
            bump(session, "board_version")
        return existing
    row = GameAnswer(game_id=game.id, clue_id=clue_id, participant_id=participant.id, entrant_id=member.entrant_id,
                     choice=choice, submit_key=submit_key)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a retry raced the first request
        return db.session.scalar(select(GameAnswer).where(GameAnswer.game_id == game.id, GameAnswer.clue_id == clue_id,
                                                          GameAnswer.participant_id == participant.id))
    bump(session, "board_version")
    return row


# ---------------------------------------------------------------- what each screen sees

def scores(game: ReviewGame) -> list[dict]:
    """Return every entrant with its score, highest first (labels only, never names)."""
    totals = dict(db.session.execute(select(GameAward.entrant_id, func.sum(GameAward.points))
                                     .where(GameAward.game_id == game.id).group_by(GameAward.entrant_id)).all())
    members = dict(db.session.execute(select(GameMember.entrant_id, func.count())
                                      .where(GameMember.game_id == game.id).group_by(GameMember.entrant_id)).all())
    entrants = db.session.scalars(
        select(GameEntrant).where(GameEntrant.game_id == game.id).order_by(GameEntrant.position)
    )
    rows = [{"id": e.id, "label": e.label, "score": int(totals.get(e.id, 0) or 0), "members": members.get(e.id, 0)}
            for e in entrants]
    return sorted(rows, key=lambda r: (-r["score"], r["label"]))


def _clue_view(game: ReviewGame, with_counts: bool) -> dict | None:
    """Return the open question; the answer only after the reveal."""
    found = find_clue(game, game.current_clue)
    if found is None:
        return None
    category, clue = found
    choices = list(db.session.scalars(select(GameAnswer.choice).where(GameAnswer.game_id == game.id,
                                                                      GameAnswer.clue_id == clue["id"])))
    view = {"id": clue["id"], "category": category["category"], "points": clue["points"], "prompt": clue["prompt"],
            "options": [{"letter": LETTERS[i], "text": t} for i, t in enumerate(clue["options"])],
            "answers_in": len(choices), "revealed": game.answer_revealed}
    if game.answer_revealed:
        view["answer"] = clue["answer"]
        view["explanation"] = clue["explanation"]
    if with_counts or game.answer_revealed:
        view["counts"] = [choices.count(i) for i in range(len(clue["options"]))]
    return view


def board_view(game: ReviewGame) -> list[dict]:
    """Return the board without questions or answers: categories, points and which are used."""
    used = set(game.used_clues or [])
    return [{"category": c["category"], "clues": [{"id": q["id"], "points": q["points"], "used": q["id"] in used}
                                                  for q in c["clues"]]} for c in game.board]


def screen_game(game: ReviewGame, with_counts: bool = False) -> dict:
    """Return the projector's (or, with counts, the console's) view of the game."""
    return {"id": game.id, "mode": game.mode, "board": board_view(game), "clue": _clue_view(game, with_counts),
            "scores": scores(game)}


def learner_game(game: ReviewGame, participant: LiveParticipant) -> dict:
    """Return the learner's view: the teams to choose from, the open question and their own answer."""
    member = _membership(game, participant)
    clue = _clue_view(game, with_counts=False)
    mine = None
    if clue is not None:
        row = db.session.execute(select(GameAnswer.choice, GameAnswer.submit_key).where(
            GameAnswer.game_id == game.id, GameAnswer.clue_id == clue["id"],
            GameAnswer.participant_id == participant.id)).first()
        if row is not None:
            mine = {"choice": row[0], "submit_key": row[1]}
            if clue["revealed"]:
                mine["correct"] = row[0] == clue["answer"]
    board = scores(game)
    me = next((s for s in board if member is not None and s["id"] == member.entrant_id), None)
    teams = (
        [{"id": s["id"], "label": s["label"]} for s in sorted(board, key=lambda s: s["id"])]
        if game.mode == "teams"
        else []
    )
    return {"id": game.id, "mode": game.mode, "teams": teams, "me": me, "clue": clue, "mine": mine}
