"""A status that waits: answered as soon as what its page shows changes, or when its wait ends.

The page asks for `status` with a `wait` and what it shows now; the entrance's coordinator tells the
waiters whenever it publishes (a phase, the lock's state), and each waiter looks again at what its page
would show. The number of waiting requests is bounded per entrance and per address (relayed requests,
which carry no address, share one); beyond the bound a status is answered at once and the page polls.
So a flood of waits holds at most MAX_WAITING requests open: its memory does not grow with the flood.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.core import callback

MAX_WAIT = 10.0  # seconds: well inside the timeouts of relays and reverse proxies
MAX_WAITING = 16  # per entrance
MAX_WAITING_PER_ADDRESS = 4


class StatusWaiters:
    """The waiting status requests of one entrance."""

    def __init__(self) -> None:
        """None waiting yet."""
        self._change = asyncio.Event()
        self._by_address: dict[str, int] = {}
        self._closed = False

    @property
    def waiting(self) -> int:
        """How many requests wait now."""
        return sum(self._by_address.values())

    @callback
    def changed(self) -> None:
        """Something a page may show changed: every waiter looks again."""
        self._change.set()
        self._change.clear()

    @callback
    def close(self) -> None:
        """The entrance stops (unload, or Home Assistant stopping): every waiter is answered now."""
        self._closed = True
        self.changed()

    async def async_wait(self, address: str, moved: Callable[[], bool], seconds: float) -> bool:
        """Wait until moved() says the page's view changed, or seconds pass.

        False, at once, where the bound leaves no room (or the entrance is stopping): the caller
        answers without waiting.
        """
        held = self._by_address.get(address, 0)
        if self._closed or held >= MAX_WAITING_PER_ADDRESS or self.waiting >= MAX_WAITING:
            return False
        self._by_address[address] = held + 1
        try:
            async with asyncio.timeout(seconds):
                while not self._closed and not moved():
                    await self._change.wait()
        except TimeoutError:
            pass
        finally:
            if (left := self._by_address[address] - 1) > 0:
                self._by_address[address] = left
            else:
                del self._by_address[address]
        return True
