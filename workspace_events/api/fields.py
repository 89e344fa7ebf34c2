"""Serializer fields that accept exactly one JSON type: no coercion at the API edge."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers

from ..wire import INT32_MAX, NIL_UUID, parse_uuid


class StrictUUIDField(serializers.Field):  # type: ignore[type-arg]
    """A UUID given as a JSON string, in a form Go's parser accepts; never the nil UUID."""

    default_error_messages = {
        "type": "Must be a UUID string.",
        "invalid": "Must be a valid UUID.",
        "nil": "Must not be the nil UUID.",
    }

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("type")
        try:
            value = parse_uuid(data)
        except ValueError:
            self.fail("invalid")
        if value == NIL_UUID:
            self.fail("nil")
        return value

    def to_representation(self, value: uuid.UUID) -> str:
        return str(value)


class StrictChoiceField(serializers.ChoiceField):
    """A choice given as a JSON string (DRF's own field would take ``5`` as ``"5"``)."""

    default_error_messages = {"type": "Must be a string."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("type")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text given as a JSON string."""

    default_error_messages = {"type": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("type")
        return super().to_internal_value(data)


class BuildNumberField(serializers.Field):  # type: ignore[type-arg]
    """A JSON integer from 0 to 2^31-1 (Go's int32, without negatives)."""

    default_error_messages = {"invalid": f"Must be an integer from 0 to {INT32_MAX}."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int) or not 0 <= data <= INT32_MAX:
            self.fail("invalid")
        return data

    def to_representation(self, value: int) -> int:
        return value
