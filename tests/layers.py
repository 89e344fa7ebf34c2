"""Channel layers for tests of the generic layer machinery (Redis itself is tested for real)."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer


class FaultyLayer(InMemoryChannelLayer):
    """An in-memory layer whose operations can be made to fail or hang on demand."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failing: set[str] = set()
        self.hanging: set[str] = set()
        # Seconds a send takes to return after the message is already on its way.
        self.send_return_delay = 0.0

    async def _maybe_fail(self, operation: str) -> None:
        if operation in self.hanging:
            await asyncio.sleep(3600)
        if operation in self.failing:
            raise ConnectionError(f"{operation} failed on purpose")

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._maybe_fail("send")
        await super().send(channel, message)
        if self.send_return_delay:
            await asyncio.sleep(self.send_return_delay)

    async def receive(self, channel: str) -> dict[str, Any]:
        await self._maybe_fail("receive")
        return await super().receive(channel)  # type: ignore[no-any-return]

    async def group_add(self, group: str, channel: str) -> None:
        await self._maybe_fail("group_add")
        await super().group_add(group, channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self._maybe_fail("group_send")
        await super().group_send(group, message)


class NoGroupsLayer(InMemoryChannelLayer):
    extensions = ["flush"]
