"""Every error the package raises derives from :class:`WorkspaceEventsError`."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


class WorkspaceEventsError(Exception):
    """Base class of every error raised by workspace_events."""


class ConfigurationError(WorkspaceEventsError, ImproperlyConfigured):
    """The settings of workspace_events, or the channel layer they name, are unusable."""


class InvalidWorkspaceEvent(WorkspaceEventsError, ValueError):
    """A workspace event broke one of the rules checked by ``WorkspaceEvent.validate()``."""


class InvalidMessage(WorkspaceEventsError, ValueError):
    """A pubsub message could not be decoded into an event, or failed validation."""


class PubsubError(WorkspaceEventsError):
    """The pubsub reported a failure to a subscriber or could not complete an operation."""


class PublishError(PubsubError):
    """A message could not be published."""


class DroppedMessages(PubsubError):
    """Messages were, or may have been, lost before reaching a subscriber."""

    def __init__(self, message: str = "dropped messages") -> None:
        super().__init__(message)


def wrap_error(
    cls: type[WorkspaceEventsError], prefix: str, cause: BaseException
) -> WorkspaceEventsError:
    """Return ``cls("<prefix><cause>")`` chained to ``cause``, as Go's ``%w`` wrapping reads."""
    error = cls(f"{prefix}{cause}")
    error.__cause__ = cause
    return error
