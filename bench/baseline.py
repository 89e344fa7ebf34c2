"""The baseline: what a team would write by hand with Channels in twenty lines.

It joins its owner's group itself and forwards every message as a JSON frame. It uses the
same group names and message format as workspace_events, so one publisher feeds both.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from workspace_events import group_name, owner_id_for, workspace_event_channel


class BareConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.group = group_name(workspace_event_channel(owner_id_for(user)))
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def workspace_events_message(self, message: dict[str, Any]) -> None:
        event_id = message["id"]
        await self.send(
            text_data='{"type":"data","id":%s,"data":%s}'
            % ("null" if event_id is None else event_id, message["message"].decode())
        )
