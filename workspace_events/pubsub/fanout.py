"""The subscribers of each event name, and delivery of one message to all of them."""

from __future__ import annotations

import threading

from .base import Delivery
from .subscription import Subscription


class Fanout:
    """Event name → subscriptions; mutation under a lock, delivery lock-free.

    Each event maps to an immutable tuple that is replaced, never changed, so ``dispatch``
    can iterate without locking while another thread subscribes.
    """

    def __init__(self) -> None:
        self._subscribers: dict[str, tuple[Subscription, ...]] = {}
        self._lock = threading.Lock()

    def add(self, subscription: Subscription) -> bool:
        """Register ``subscription``; True if it is the event's first subscriber."""
        with self._lock:
            current = self._subscribers.get(subscription.event, ())
            self._subscribers[subscription.event] = (*current, subscription)
            return not current

    def remove(self, subscription: Subscription) -> bool:
        """Unregister ``subscription``; True if the event has no subscriber left."""
        with self._lock:
            current = self._subscribers.get(subscription.event, ())
            if subscription not in current:
                return False
            rest = tuple(s for s in current if s is not subscription)
            if rest:
                self._subscribers[subscription.event] = rest
                return False
            del self._subscribers[subscription.event]
            return True

    def dispatch(self, delivery: Delivery) -> None:
        for subscription in self._subscribers.get(delivery.event, ()):
            subscription.put(delivery)

    def drop(self, event: str) -> None:
        """Tell every subscriber of ``event`` that messages were lost."""
        for subscription in self._subscribers.get(event, ()):
            subscription.put_dropped()

    def drop_all(self) -> None:
        """Tell every subscriber that messages were lost."""
        for subscriptions in list(self._subscribers.values()):
            for subscription in subscriptions:
                subscription.put_dropped()

    def events(self) -> list[str]:
        return list(self._subscribers)

    def count(self) -> int:
        return sum(len(subscriptions) for subscriptions in list(self._subscribers.values()))

    def close_all(self) -> None:
        with self._lock:
            everyone = [s for subs in self._subscribers.values() for s in subs]
            self._subscribers.clear()
        for subscription in everyone:
            subscription.close()
