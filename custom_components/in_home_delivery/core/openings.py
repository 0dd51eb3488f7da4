"""How often the street door was opened for each pass in its window, kept across restarts.

A pass may open the building's street door a few times per window. Each count is kept under the pass
and the start of its window, together with the moment after which it can no longer matter (a day after
the window's end), so the table holds only the windows still open and stays small.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

KEEP_AFTER_WINDOW = timedelta(days=1)  # longer than any grace period around a window


def opening_key(pass_id: str, window: tuple[datetime, datetime] | None) -> str:
    """The key of a pass's current window (a pass without one has one key for good)."""
    return f"{pass_id}|{window[0].isoformat() if window else ''}"


@dataclass
class StreetDoorOpenings:
    """Counts per pass and window, with the moment each may be forgotten."""

    counts: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)

    def count(self, key: str) -> int:
        """How often the street door was opened under this key."""
        return self.counts.get(key, (0, None))[0]

    def add(self, key: str, window: tuple[datetime, datetime] | None, now: datetime) -> int:
        """Count one more opening; forget windows long over. Returns the new count."""
        self.counts = {
            other: (count, until) for other, (count, until) in self.counts.items() if until is None or until > now
        }
        count = self.count(key) + 1
        self.counts[key] = (count, window[1] + KEEP_AFTER_WINDOW if window else None)
        return count

    def undo(self, key: str) -> None:
        """Take back one opening counted under the key (it could not be written, so it did not happen)."""
        if (entry := self.counts.get(key)) is None:
            return
        count, until = entry
        if count <= 1:
            del self.counts[key]
        else:
            self.counts[key] = (count - 1, until)

    def as_dict(self) -> dict[str, list[object]]:
        """JSON-ready data for the store."""
        return {key: [count, until.isoformat() if until else None] for key, (count, until) in self.counts.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, list[object]]) -> StreetDoorOpenings:
        """Read the counts back from the store."""
        return cls(
            {
                key: (int(str(count)), datetime.fromisoformat(str(until)) if until else None)
                for key, (count, until) in data.items()
            }
        )
