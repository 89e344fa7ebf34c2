"""Turn model saves and deletes into workspace events: declare it once per model.

    from workspace_events import bridge
    from workspace_events.enums import WorkspaceEventKind

    bridge.register(
        Workspace,
        kind=WorkspaceEventKind.STATE_CHANGE,
        owner="owner",  # attribute path, or callable(instance)
        workspace="pk",
    )

``owner`` may lead to a user (mapped through ``owner_id_for``), a UUID or UUID text;
``workspace`` and ``agent`` to a UUID or UUID text. ``kind`` may be a callable
``(instance, created)`` returning a kind or ``None`` for "no event" (``created`` is
``None`` on delete). Events go out after the save's transaction commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.signals import post_delete, post_save

from .emit import emit_workspace_event
from .events import WorkspaceEvent
from .owners import owner_id_for
from .wire import parse_uuid

Resolver = str | Callable[[Any], Any]
KindRule = str | Callable[[Any, bool | None], str | None]


@dataclass(frozen=True, slots=True)
class Binding:
    """How one model's saves and deletes become events."""

    model: type[models.Model]
    kind: KindRule
    owner: Resolver
    workspace: Resolver = "pk"
    agent: Resolver | None = None
    on: frozenset[str] = frozenset({"save", "delete"})

    def event_for(
        self, instance: Any, created: bool | None
    ) -> tuple[uuid.UUID, WorkspaceEvent] | None:
        kind = self.kind(instance, created) if callable(self.kind) else self.kind
        if kind is None:
            return None
        owner = _owner(self._resolve(instance, self.owner, "owner"))
        workspace = _uuid(self._resolve(instance, self.workspace, "workspace"), "workspace")
        agent = None
        if self.agent is not None:
            value = self._resolve(instance, self.agent, "agent", required=False)
            agent = None if value is None else _uuid(value, "agent")
        return owner, WorkspaceEvent(kind, workspace, agent)

    def _resolve(self, instance: Any, resolver: Resolver, name: str, required: bool = True) -> Any:
        if callable(resolver):
            return resolver(instance)
        value = instance
        for part in resolver.split("__"):
            try:
                value = None if value is None else getattr(value, part)
            except ObjectDoesNotExist:
                value = None
            if value is None:
                if not required:
                    return None
                raise ValueError(f"{self.model.__name__}: {name} path {resolver!r} found nothing")
        return value


_bindings: dict[type[models.Model], Binding] = {}


def _owner(value: Any) -> uuid.UUID:
    if isinstance(value, models.Model):
        return owner_id_for(value)
    return _uuid(value, "owner")


def _uuid(value: Any, name: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        return parse_uuid(value)
    raise ValueError(f"the {name} of a bridged model must be a UUID, not {value!r}")


def register(
    model: type[models.Model],
    *,
    kind: KindRule,
    owner: Resolver,
    workspace: Resolver = "pk",
    agent: Resolver | None = None,
    on: Iterable[str] = ("save", "delete"),
) -> Binding:
    """Emit ``kind`` for ``model``'s saves and/or deletes; replaces an earlier registration."""
    events = frozenset(on)
    if not events or not events <= {"save", "delete"}:
        raise ValueError(f"on must name 'save' and/or 'delete', not {sorted(events)}")
    if not (callable(kind) or isinstance(kind, str)):
        raise TypeError("kind must be a kind or a callable(instance, created)")
    unregister(model)
    binding = Binding(model, kind, owner, workspace, agent, events)
    _bindings[model] = binding
    uid = f"workspace_events.bridge.{model._meta.label}"
    if "save" in events:
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
    if "delete" in events:
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    return binding


def unregister(model: type[models.Model]) -> None:
    """Stop emitting events for ``model``."""
    if _bindings.pop(model, None) is not None:
        uid = f"workspace_events.bridge.{model._meta.label}"
        post_save.disconnect(sender=model, dispatch_uid=uid)
        post_delete.disconnect(sender=model, dispatch_uid=uid)


def binding_for(model: type[models.Model]) -> Binding | None:
    return _bindings.get(model)


def _emit(sender: type[models.Model], instance: Any, created: bool | None, using: str) -> None:
    binding = _bindings.get(sender)
    if binding is None:
        return
    found = binding.event_for(instance, created)
    if found is not None:
        emit_workspace_event(*found, using=using)


def _saved(
    sender: type[models.Model],
    instance: Any,
    created: bool,
    using: str,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if not raw:  # fixtures being loaded are not changes to report
        _emit(sender, instance, created, using)


def _deleted(sender: type[models.Model], instance: Any, using: str, **kwargs: Any) -> None:
    _emit(sender, instance, None, using)
