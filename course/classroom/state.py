"""The three views of a session (console, projector, learner) and the console's control actions."""
from __future__ import annotations

from flask import url_for

from ..extensions import db
from ..models import Cohort
from ..models.classroom import ClassSession, LiveParticipant
from ..names import Namer
from . import activities, game
from .services import (
    SCREEN_MODES,
    ClassroomError,
    agenda_payload,
    bump,
    set_module,
    set_slide,
    slide_payload,
    timer_reset,
    timer_state,
    timer_toggle,
)

# What the projector itself may do with its keys; everything else needs the trainer's console.
SCREEN_ACTIONS = {"next", "prev", "goto", "blank", "timer_toggle"}


def participant_name(participant: LiveParticipant, cohort: Cohort | None, namer: Namer) -> str:
    """Return how the console shows a participant, by the name-masking service's rule.

    A phone linked to a learner's account is named as the service names that learner (the name, or
    "Learner 7" in an anonymous cohort or while presenting); any other phone by the name it typed,
    or "Participant 4" when it typed none or while names are hidden.
    """
    if participant.user is not None:
        return namer.name(participant.user, cohort)
    return participant.label if namer.hides(cohort) or not participant.display_name else participant.display_name


def join_info(session: ClassSession) -> dict:
    """Return how learners join: the code and the short address."""
    return {"code": session.join_code, "url": url_for("live.enter", _external=True),
            "direct_url": url_for("live.room", code=session.join_code, _external=True)}


def _common(session: ClassSession) -> dict:
    """Return what the console and the projector both show."""
    return {"mode": session.screen_mode, "blanked": session.blanked, "timer": timer_state(session),
            "ended": session.ended_at is not None, "day": session.day}


def screen_state(session: ClassSession) -> dict:
    """Return the projector's state: anonymous by construction (no query here reads a name)."""
    out = _common(session)
    out["slide"] = slide_payload(session)
    out["agenda"] = agenda_payload(session)
    out["join"] = join_info(session)
    activity = activities.current_activity(session)
    out["activity"] = activities.screen_activity(activity) if activity else None
    running = game.current_game(session)
    out["game"] = game.screen_game(running) if running else None
    return out


def console_state(session: ClassSession) -> dict:
    """Return the trainer console's state: slides with notes, the queue with names, the game with counts."""
    out = _common(session)
    cohort = db.session.get(Cohort, session.cohort_id)
    out["session"] = {"id": session.id, "screen_code": session.screen_code, "cohort": cohort.name if cohort else "",
                      "module_id": session.module_id, "expires_at": session.expires_at.isoformat()}
    out["slide"] = slide_payload(session, with_notes=True)
    out["agenda"] = agenda_payload(session)
    out["join"] = join_info(session)
    activity = activities.current_activity(session)
    namer = Namer()
    hidden = namer.hides(cohort)
    out["presenting"] = namer.presenting
    out["names_hidden"] = hidden
    out["activity"] = (activities.console_activity(activity, cohort, lambda p, c: participant_name(p, c, namer))
                       if activity else None)
    running = game.current_game(session)
    out["game"] = game.screen_game(running, with_counts=True) if running else None
    return out


def learner_state(session: ClassSession, participant: LiveParticipant) -> dict:
    """Return a phone's state: the open activity or game question and its own work."""
    activity = activities.current_activity(session)
    running = game.current_game(session)
    return {"mode": session.screen_mode, "ended": session.ended_at is not None,
            "me": {"label": participant.label, "name": participant.display_name},
            "activity": activities.learner_activity(activity, participant) if activity else None,
            "game": game.learner_game(running, participant) if running else None,
            "slide_title": slide_payload(session)["title"]}


def control(session: ClassSession, action: str, data: dict, from_screen: bool = False) -> None:
    """Apply one control action (the caller commits). The projector may only use SCREEN_ACTIONS."""
    if not isinstance(action, str):
        raise ClassroomError("Say which action to take.")
    if from_screen and action not in SCREEN_ACTIONS:
        raise ClassroomError("The projector can only move slides, blank the screen and run the timer.", 403)
    if session.ended_at is not None:
        raise ClassroomError("This session has ended.", 410)
    group, _, verb = action.partition(".")
    if group == "activity":
        activities.steer(session, verb, data)
        return
    if group == "game":
        game.steer(session, verb, data)
        return
    _control_screen(session, action, data)
    bump(session, "version")


def _control_screen(session: ClassSession, action: str, data: dict) -> None:
    """Apply a slide, screen or timer action."""
    if action == "next":
        set_slide(session, session.slide_index + 1)
    elif action == "prev":
        set_slide(session, session.slide_index - 1)
    elif action == "goto":
        set_slide(session, _int(data.get("index")))
    elif action == "module":
        set_module(session, str(data.get("module_id", "")))
    elif action == "blank":
        session.blanked = bool(data.get("value", not session.blanked))
    elif action == "mode":
        mode = data.get("mode")
        if mode not in SCREEN_MODES:
            raise ClassroomError(f"The screen shows one of: {', '.join(SCREEN_MODES)}.")
        if mode == "activity" and session.activity_id is None:
            raise ClassroomError("Start an activity first.")
        if mode == "game" and session.game_id is None:
            raise ClassroomError("Start a review game first.")
        session.screen_mode = mode
    elif action == "timer_toggle":
        timer_toggle(session)
    elif action == "timer_reset":
        timer_reset(session, data.get("minutes"))
    elif action == "start_activity":
        question = data.get("question")
        activities.start_activity(session, str(data.get("kind", "")), str(data.get("vignette", "")),
                                  data.get("statement_kind"), question if isinstance(question, str) else None)
    elif action == "start_game":
        modules = data.get("modules") or []
        teams = data.get("teams") or []
        if isinstance(teams, str):
            teams = [t for t in teams.split(",")]
        if not isinstance(modules, list) or not isinstance(teams, list):
            raise ClassroomError("Send the game's modules and teams as lists.")
        game.start_game(session, list(modules), str(data.get("mode", "teams")), teams)
    else:
        raise ClassroomError(f"Unknown action '{action}'.")


def _int(value) -> int:
    """Return an integer from a request value, or refuse."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ClassroomError("Send a slide number.") from exc
