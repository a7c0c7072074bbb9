"""A learner's exercise work: statements with their versions, and mapping attempts."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime


class WorkStatus(enum.StrEnum):
    """Where a piece of work is in its review cycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    ACCEPTED = "accepted"


# The only moves a piece of work may make; anything else is refused with a message.
TRANSITIONS: dict[WorkStatus, set[WorkStatus]] = {
    WorkStatus.DRAFT: {WorkStatus.SUBMITTED},
    WorkStatus.SUBMITTED: {WorkStatus.IN_REVIEW, WorkStatus.DRAFT},
    WorkStatus.IN_REVIEW: {WorkStatus.RETURNED, WorkStatus.ACCEPTED, WorkStatus.SUBMITTED},
    WorkStatus.RETURNED: {WorkStatus.DRAFT},
    WorkStatus.ACCEPTED: set(),
}

STATUS_LABELS = {
    WorkStatus.DRAFT: "Draft",
    WorkStatus.SUBMITTED: "Submitted, waiting for review",
    WorkStatus.IN_REVIEW: "In review",
    WorkStatus.RETURNED: "Returned for revision",
    WorkStatus.ACCEPTED: "Accepted",
}


class InvalidTransition(ValueError):
    """Raised when work is asked to move to a status its current status does not allow."""

    def __init__(self, current: WorkStatus, target: WorkStatus):
        super().__init__(
            f"This work is {STATUS_LABELS[current].lower()}, so it cannot become "
            f"{STATUS_LABELS[target].lower()}. Reload the page to see its current state."
        )
        self.current = current
        self.target = target


class Work(db.Model):
    """One statement (or question set) a learner writes for a vignette, across all its versions."""

    __tablename__ = "works"
    __table_args__ = (UniqueConstraint("user_id", "vignette_id", "kind", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vignette_id: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # harm | danger | safety_goal | sf_question
    position: Mapped[int] = mapped_column(Integer, default=1)  # danger 1-3 pairs with safety goal 1-3
    status: Mapped[str] = mapped_column(String(16), default=WorkStatus.DRAFT.value, index=True)
    draft_text: Mapped[str] = mapped_column(Text, default="")
    no_harm: Mapped[bool] = mapped_column(Boolean, default=False)  # learner judged no harm statement is due
    revision: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every save; optimistic check
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[WorkVersion]] = relationship(
        back_populates="work", order_by="WorkVersion.number", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> WorkStatus:
        """Return the status as an enum."""
        return WorkStatus(self.status)

    @property
    def status_label(self) -> str:
        """Return the status in plain words."""
        return STATUS_LABELS[self.state]

    @property
    def editable(self) -> bool:
        """Return whether the learner may change the text now."""
        return self.state in (WorkStatus.DRAFT, WorkStatus.RETURNED)

    def transition(self, target: WorkStatus) -> None:
        """Move to the target status, or raise InvalidTransition."""
        if target not in TRANSITIONS[self.state]:
            raise InvalidTransition(self.state, target)
        self.status = target.value

    @property
    def latest_version(self) -> WorkVersion | None:
        """Return the newest kept version, if any."""
        return self.versions[-1] if self.versions else None


class WorkVersion(db.Model):
    """A kept version of a piece of work: every check and every submission."""

    __tablename__ = "work_versions"
    __table_args__ = (UniqueConstraint("work_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # check | submit
    report: Mapped[dict | None] = mapped_column(JSON)  # full, capped; only submitted and latest versions keep it
    summary: Mapped[dict | None] = mapped_column(JSON)  # categories, components, verdict (course.exercises.versions)
    verdict: Mapped[str | None] = mapped_column(String(16))
    no_harm: Mapped[bool] = mapped_column(Boolean, default=False)  # the text is a "no harm statement" reason
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    work: Mapped[Work] = relationship(back_populates="versions")


class MappingAttempt(db.Model):
    """One submitted mapping of a vignette's facts, with its safety scale."""

    __tablename__ = "mapping_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vignette_id: Mapped[str] = mapped_column(String(80), index=True)
    placements: Mapped[dict] = mapped_column(JSON)  # fact id -> category chosen
    correct: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    scale: Mapped[int | None] = mapped_column(Integer)
    scale_reason: Mapped[str] = mapped_column(Text, default="")
    # The learner's own map entries when they checked: [{"column", "text", "report"}], kept as they were.
    entries: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MapBoard(db.Model):
    """A learner's mapping board for one vignette as last saved: placed facts, own entries, the scale."""

    __tablename__ = "map_boards"
    __table_args__ = (UniqueConstraint("user_id", "vignette_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vignette_id: Mapped[str] = mapped_column(String(80))
    placements: Mapped[dict] = mapped_column(JSON, default=dict)  # fact id -> column
    scale: Mapped[int | None] = mapped_column(Integer)
    scale_reason: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every save; optimistic check
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[MapEntry]] = relationship(
        back_populates="board", order_by="MapEntry.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[MapBoardRevision]] = relationship(
        back_populates="board", order_by="MapBoardRevision.id.desc()", cascade="all, delete-orphan"
    )


class MapBoardRevision(db.Model):
    """A kept copy of a board as saved, for the list of earlier versions (close autosaves share one)."""

    __tablename__ = "map_board_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("map_boards.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # the board's revision this copy shows
    source: Mapped[str] = mapped_column(String(16))  # autosave, save, check or restore
    # {"placements": {fact id: column}, "entries": [{"key", "column", "text"}], "scale", "scale_reason"}
    state: Mapped[dict] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first save this copy holds
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last save this copy holds

    board: Mapped[MapBoard] = relationship(back_populates="revisions")


class MapEntry(db.Model):
    """One short entry a learner wrote on the map in their own words, with the plain-language check of it."""

    __tablename__ = "map_entries"
    __table_args__ = (UniqueConstraint("board_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("map_boards.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(16))  # chosen by the page, so two saves can name the same entry
    column_id: Mapped[str] = mapped_column(String(16))  # a column of the map (vignettes.MAP_COLUMNS)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    report: Mapped[dict | None] = mapped_column(JSON)  # the grader's report of exactly this text, once checked

    board: Mapped[MapBoard] = relationship(back_populates="entries")


class DrillAttempt(db.Model):
    """One graded rewrite of a drill sentence (the model answer shows after the first attempt)."""

    __tablename__ = "drill_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    drill_id: Mapped[str] = mapped_column(String(80), index=True)
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(16))
    report: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
