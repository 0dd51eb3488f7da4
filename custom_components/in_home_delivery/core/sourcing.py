"""What one reading of a source changes among the entrance's deliveries: a pure function of the passes.

New items become deliveries; changed ones move while not used yet; items gone from the source (as the
reading says, never what it could not read) are cancelled unless a visit used them or their window is
over. A parcel already known by its tracking number is not added twice. A delivery the sources
cancelled themselves comes back when expected again while its window is open, with a new token; one
the owner cancelled never does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from .expected import Reading
from .passes import Delivery, DeliveryStatus
from .passindex import PassIndex

KNOWN_PARCEL = (DeliveryStatus.SCHEDULED, DeliveryStatus.IN_PROGRESS, DeliveryStatus.COMPLETED)


def known_parcel(index: PassIndex, tracking_number: str | None) -> bool:
    """Whether a parcel is expected already, or was delivered (by any source or schedule_delivery)."""
    same = index.by_tracking(tracking_number) if tracking_number else None
    return same is not None and same.status in KNOWN_PARCEL


def reading_changes(
    index: PassIndex,
    entity_id: str,
    reading: Reading,
    now: datetime,
    *,
    within: tuple[datetime, datetime] | None,
    cancelled: set[str],
    new_id: Callable[[], str],
    new_token_hash: Callable[[], str],
) -> list[Delivery]:
    """The deliveries one reading of a source entity adds, moves or cancels.

    within: only deliveries overlapping what was read may be cancelled. cancelled holds the ids of the
    deliveries the sources cancelled themselves (ids are added as they are cancelled here, and taken out
    as they are expected again or their window ends).
    """
    wanted = {item.key: item for item in reading.expected}
    changed: list[Delivery] = []
    for key, item in wanted.items():
        known = index.by_source(key)
        if known is None or (known.status is DeliveryStatus.CANCELLED and known.pass_id in cancelled):
            if item.window_end <= now or item.window_end <= item.window_start:
                continue
            if known_parcel(index, item.tracking_number):
                continue
            if known is not None:
                cancelled.discard(known.pass_id)
            changed.append(
                Delivery(
                    pass_id=known.pass_id if known else new_id(),
                    token_hash=new_token_hash(),
                    window_start=item.window_start,
                    window_end=item.window_end,
                    carrier=item.carrier,
                    description=item.description,
                    tracking_number=item.tracking_number,
                    source=key,
                )
            )
            continue
        if known.status is not DeliveryStatus.SCHEDULED or item.window_end <= now:
            continue
        moved = replace(
            known,
            window_start=item.window_start,
            window_end=item.window_end,
            carrier=item.carrier,
            description=item.description,
            tracking_number=item.tracking_number,
        )
        if moved != known:
            changed.append(moved)
    for known in index.from_source(entity_id):
        if known.window_end <= now:
            cancelled.discard(known.pass_id)
            continue
        if known.status is not DeliveryStatus.SCHEDULED:
            continue
        if known.source is None or not reading.is_gone(known.source):
            continue
        if within is not None and not (known.window_start < within[1] and known.window_end > within[0]):
            continue
        changed.append(replace(known, status=DeliveryStatus.CANCELLED))
        cancelled.add(known.pass_id)
    return changed
