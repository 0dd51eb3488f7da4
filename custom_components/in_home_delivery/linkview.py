"""The page of a pass as the courier's link shows it: the facts gathered here, the words decided in the core."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .core.page import DONE, LinkView, PageFacts, Tone, own_visit as own_visit_of, page_view
from .core.visit import Visit

if TYPE_CHECKING:
    from .controller import EntranceController
    from .core.passindex import Pass

__all__ = ["DONE", "LinkView", "Tone", "link_view", "own_visit"]


def own_visit(controller: EntranceController, pass_: Pass, now: datetime) -> Visit | None:
    """The pass's running visit, or its visit that ended a moment ago; None otherwise."""
    return own_visit_of(controller.visit, controller.last_finished, pass_.pass_id, now)


def link_view(
    controller: EntranceController, pass_: Pass, now: datetime, *, reason: str | None = None, result: str | None = None
) -> LinkView:
    """The page of a pass now, after a request that ended in `result` or was refused for `reason`."""
    facts = PageFacts(
        entrance=controller.name,
        own_door=controller.access.own_door,
        accepting=controller.accepting,
        visit=own_visit(controller, pass_, now),
        lock=controller.reported_lock_state,
        denial=controller.passes.denial(pass_, now),
        window=controller.passes.window(pass_, now),
        street_door=controller.street_door is not None,
        street_door_openings=controller.street_door_openings(pass_) if controller.street_door is not None else 0,
        lock_when_camera_lost=controller.settings.lock_when_camera_lost,
    )
    return page_view(facts, pass_, now, reason=reason, result=result)
