"""Classroom mode: live sessions, participants, activities, responses, the review game and exports.

Every piece of live state lives in these tables, never in process memory, so the console,
the projector and the learners may be served by different workers or machines. Each
session carries three counters that polling clients compare instead of re-reading data.
A phone takes part as a participant: a random token in a cookie (stored here only as a hash),
with an account linked when a signed-in learner of the cohort joins.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .users import Cohort, User


class ClassSession(db.Model):
    """One live classroom session: what the projector shows and the codes that join it."""

    __tablename__ = "class_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    screen_code: Mapped[str] = mapped_column(String(12), unique=True)  # console -> projector; never shown to learners
    join_code: Mapped[str] = mapped_column(String(12), unique=True)  # shown on the projector for learners
    day: Mapped[int] = mapped_column(Integer, default=1)
    day_start: Mapped[str] = mapped_column(String(5), default="09:00")
    module_id: Mapped[str] = mapped_column(String(80))
    slide_index: Mapped[int] = mapped_column(Integer, default=0)
    screen_mode: Mapped[str] = mapped_column(String(16), default="slides")  # slides | agenda | join | activity | game
    blanked: Mapped[bool] = mapped_column(Boolean, default=False)
    timer_seconds: Mapped[int] = mapped_column(Integer, default=300)
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_left: Mapped[int | None] = mapped_column(Integer)  # seconds left while paused
    activity_id: Mapped[int | None] = mapped_column(Integer)  # plain id: avoids a table cycle
    game_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)  # what everyone sees: slides, modes, reveals
    board_version: Mapped[int] = mapped_column(Integer, default=1)  # room tallies the projector shows
    queue_version: Mapped[int] = mapped_column(Integer, default=1)  # incoming responses, console only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    activities: Mapped[list[LiveActivity]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, order_by="LiveActivity.id"
    )
    games: Mapped[list[ReviewGame]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, order_by="ReviewGame.id"
    )


class LiveParticipant(db.Model):
    """One device in a session: known by its cookie token (hashed), anonymous unless it gave a name."""

    __tablename__ = "class_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "token_hash", name="uq_class_participants_session_token"),
        UniqueConstraint("session_id", "number", name="uq_class_participants_session_number"),
        UniqueConstraint("session_id", "user_id", name="uq_class_participants_session_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the cookie's token
    number: Mapped[int] = mapped_column(Integer)  # "Participant 4" on the console
    display_name: Mapped[str] = mapped_column(String(40), default="")  # what the phone chose; "" is anonymous
    # A signed-in learner of the cohort: their responses stay linked to their account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """Return the anonymous label, "Participant 4"."""
        return f"Participant {self.number}"


class LiveActivity(db.Model):
    """A practice activity run in the room: a statement draft, a short-answer question, or the group map."""

    __tablename__ = "class_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # statement | question | mapping
    statement_kind: Mapped[str | None] = mapped_column(String(20))  # harm | danger | safety_goal | sf_question
    vignette_id: Mapped[str] = mapped_column(String(80))  # "" for a question
    question: Mapped[str | None] = mapped_column(Text)  # the trainer's short-answer question
    # The wall shows every approved response; the wall shows the word summary.
    show_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    show_words: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    results_shown: Mapped[bool] = mapped_column(Boolean, default=True)
    focus_fact: Mapped[str | None] = mapped_column(String(40))
    revealed_facts: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ClassSession] = relationship(back_populates="activities")
    responses: Mapped[list[LiveResponse]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", passive_deletes=True, order_by="LiveResponse.seq"
    )


class LiveResponse(db.Model):
    """One participant's answer to an activity; retries with the same submit key change nothing."""

    __tablename__ = "class_responses"
    __table_args__ = (
        UniqueConstraint("activity_id", "participant_id", name="uq_class_responses_activity_participant"),
        UniqueConstraint("activity_id", "seq", name="uq_class_responses_activity_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("class_activities.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("class_participants.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the anonymous "Response 3" label
    submit_key: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    placements: Mapped[dict] = mapped_column(JSON, default=dict)  # mapping: fact id -> category
    report: Mapped[dict | None] = mapped_column(JSON)
    grader_state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | unavailable | error
    # The trainer let it onto the wall.
    approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    spotlight: Mapped[bool] = mapped_column(Boolean, default=False)  # on the projector (anonymously)
    marks_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[LiveActivity] = relationship(back_populates="responses")


class ReviewGame(db.Model):
    """A review game: a board of categories and point values built from knowledge checks."""

    __tablename__ = "class_games"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(12), default="teams")  # teams | individual
    module_ids: Mapped[list] = mapped_column(JSON, default=list)
    # [{category, clues: [{id, points, prompt, options, answer, explanation}]}]
    board: Mapped[list] = mapped_column(JSON, default=list)
    current_clue: Mapped[str | None] = mapped_column(String(60))
    answer_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    used_clues: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ClassSession] = relationship(back_populates="games")
    entrants: Mapped[list[GameEntrant]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="GameEntrant.position"
    )


class GameEntrant(db.Model):
    """A team, or one anonymous player ("Player 4"), that scores points."""

    __tablename__ = "class_game_entrants"
    __table_args__ = (UniqueConstraint("game_id", "position", name="uq_class_game_entrants_game_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("class_games.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[int | None] = mapped_column(  # individual mode only
        ForeignKey("class_participants.id", ondelete="CASCADE"))


class GameMember(db.Model):
    """Which team (or player) a participant answers for."""

    __tablename__ = "class_game_members"
    __table_args__ = (UniqueConstraint("game_id", "participant_id", name="uq_class_game_members_game_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("class_games.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("class_participants.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(ForeignKey("class_game_entrants.id", ondelete="CASCADE"))


class GameAnswer(db.Model):
    """A participant's answer to one clue, from their device."""

    __tablename__ = "class_game_answers"
    __table_args__ = (
        UniqueConstraint("game_id", "clue_id", "participant_id", name="uq_class_game_answers_game_clue_participant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("class_games.id", ondelete="CASCADE"), index=True)
    clue_id: Mapped[str] = mapped_column(String(60))
    participant_id: Mapped[int] = mapped_column(ForeignKey("class_participants.id", ondelete="CASCADE"))
    entrant_id: Mapped[int] = mapped_column(ForeignKey("class_game_entrants.id", ondelete="CASCADE"))
    choice: Mapped[int] = mapped_column(Integer)
    submit_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GameAward(db.Model):
    """Points given to an entrant: once per clue when answers are revealed, or by the trainer."""

    __tablename__ = "class_game_awards"
    __table_args__ = (
        UniqueConstraint("game_id", "entrant_id", "clue_id", name="uq_class_game_awards_game_entrant_clue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("class_games.id", ondelete="CASCADE"), index=True)
    entrant_id: Mapped[int] = mapped_column(ForeignKey("class_game_entrants.id", ondelete="CASCADE"))
    clue_id: Mapped[str | None] = mapped_column(String(60))  # None for the trainer's own awards
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionExport(db.Model):
    """What a session leaves behind when it ends: a CSV and a Markdown summary, without names, kept 30 days."""

    __tablename__ = "class_session_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # counts for the list: activities, responses, ...
    csv_text: Mapped[str] = mapped_column(Text)
    markdown_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    cohort: Mapped[Cohort] = relationship()
