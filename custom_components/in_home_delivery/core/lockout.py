"""Failed link attempts: an address that keeps failing is locked out; a flood alerts the owner once."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FAILURE_WINDOW = timedelta(minutes=10)
MAX_FAILURES = 10
LOCKOUT = timedelta(minutes=15)
FLOOD_FAILURES = 50
MAX_TRACKED_ADDRESSES = 10_000


@dataclass
class Lockout:
    """Counts failures per remote address within a sliding window."""

    failures: dict[str, deque[datetime]] = field(default_factory=dict)
    blocked_until: dict[str, datetime] = field(default_factory=dict)
    all_failures: deque[datetime] = field(default_factory=deque)
    flood_alerted_until: datetime | None = None

    def is_blocked(self, address: str, now: datetime) -> bool:
        """Whether the address is locked out now."""
        until = self.blocked_until.get(address)
        if until is None:
            return False
        if until <= now:
            del self.blocked_until[address]
            return False
        return True

    def record_failure(self, address: str, now: datetime) -> bool:
        """Count a failure; return True when this failure starts a flood the owner should hear of."""
        horizon = now - FAILURE_WINDOW
        attempts = self.failures.pop(address, None) or deque()
        while attempts and attempts[0] < horizon:
            attempts.popleft()
        attempts.append(now)
        if len(attempts) >= MAX_FAILURES:
            self.blocked_until[address] = now + LOCKOUT
            attempts.clear()
        self.failures[address] = attempts  # re-inserted: the dict stays ordered by last failure
        if len(self.failures) > MAX_TRACKED_ADDRESSES:
            self._forget_oldest(now)
        while self.all_failures and self.all_failures[0] < horizon:
            self.all_failures.popleft()
        self.all_failures.append(now)
        if len(self.all_failures) >= FLOOD_FAILURES and (
            self.flood_alerted_until is None or self.flood_alerted_until <= now
        ):
            self.flood_alerted_until = now + LOCKOUT
            return True
        return False

    def _forget_oldest(self, now: datetime) -> None:
        """Keep memory bounded in a flood from very many addresses: drop the least recent tenth.

        Dropping down to 90% of the limit at once keeps the work per request constant on average.
        """
        for address in list(self.failures)[: len(self.failures) - MAX_TRACKED_ADDRESSES * 9 // 10]:
            del self.failures[address]
        for address, until in list(self.blocked_until.items()):
            if until <= now:
                del self.blocked_until[address]
