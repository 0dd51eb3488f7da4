"""The demo's REST API, as an owner's automations use it: scripts/screenshots and scripts/test-newest."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import aiohttp
import dev_bootstrap as demo


class Demo:
    """The demo's REST API, as the owner's automations would use it."""

    def __init__(self, session: aiohttp.ClientSession, token: str) -> None:
        """Use the development login."""
        self.session = session
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, domain: str, service: str, data: dict[str, Any], *, response: bool = False) -> Any:
        """Perform an action."""
        url = f"{demo.BASE}/api/services/{domain}/{service}" + ("?return_response" if response else "")
        async with self.session.post(url, json=data, headers=self.headers) as answer:
            answer.raise_for_status()
            return (await answer.json())["service_response"] if response else None

    async def state(self, entity_id: str) -> str:
        """An entity's state."""
        async with self.session.get(f"{demo.BASE}/api/states/{entity_id}", headers=self.headers) as answer:
            answer.raise_for_status()  # 404: no such entity
            return str((await answer.json())["state"])

    async def until(self, entity_id: str, state: str, seconds: float = 30) -> None:
        """Wait until an entity reports a state."""
        for _ in range(int(seconds * 4)):
            if await self.state(entity_id) == state:
                return
            await asyncio.sleep(0.25)
        sys.exit(f"{entity_id} did not become {state}")

    async def switch(self, entity_id: str, on: bool) -> None:
        """Flip a Simulation switch."""
        await self.call("input_boolean", "turn_on" if on else "turn_off", {"entity_id": entity_id})
