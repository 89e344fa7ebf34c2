"""Signals through which host code emits events without touching the pubsub.

The app's own receivers log and publish what is sent, after the transaction on ``using``
commits (at once outside a transaction). Bad input raises from ``send()``; nothing is
logged or published then.
"""

from __future__ import annotations

from django.dispatch import Signal

workspace_event = Signal()
"""Emit a ``WorkspaceEvent`` on an owner's channel.

Keyword arguments: ``owner_id`` (``UUID`` or UUID text), ``event`` (``WorkspaceEvent``),
and optionally ``using`` (the database alias whose transaction must commit first).
"""

build_update = Signal()
"""Emit a ``WorkspaceBuildUpdate`` on ``workspace_updates:all``.

Keyword arguments: ``update`` (``WorkspaceBuildUpdate``), and optionally ``owner_id``
(recorded in the log) and ``using`` (as above).
"""
