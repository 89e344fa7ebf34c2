"""Channels' ``database_sync_to_async``, with the types Channels does not declare.

It runs the function in a worker thread and closes stale database connections around it,
which plain ``sync_to_async`` does not: the simulators run for as long as the server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from channels.db import database_sync_to_async as _database_sync_to_async

P = ParamSpec("P")
R = TypeVar("R")


def database_sync_to_async(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    return _database_sync_to_async(func)  # type: ignore[no-any-return]
