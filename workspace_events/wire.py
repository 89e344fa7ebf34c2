"""Byte-level compatibility with Coder's Go encoder: JSON strings, JSON objects and UUID text.

Clients written against Coder decode our messages with Go's ``encoding/json`` and
``google/uuid``; these helpers make Python produce and accept the same bytes.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, NoReturn

from .exceptions import InvalidMessage

NIL_UUID = uuid.UUID(int=0)
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# Go escapes these even though JSON does not require it (HTML safety, JS line terminators).
_GO_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX = frozenset("0123456789abcdefABCDEF")


def scrub(text: str) -> str:
    """Replace lone surrogates with U+FFFD, as Go does with invalid UTF-16 and UTF-8."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def json_string(text: str) -> bytes:
    """Encode ``text`` as a JSON string exactly as Go's ``json.Marshal`` does."""
    return json.dumps(scrub(text), ensure_ascii=False).translate(_GO_ESCAPES).encode()


def parse_uuid(text: str) -> uuid.UUID:
    """Parse UUID text in the forms Go's ``uuid.Parse`` accepts; raise ``ValueError`` otherwise.

    Accepted: ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``, the same in braces or after
    ``urn:uuid:``, and 32 hex digits. Python's own parser is laxer (hyphens anywhere).
    """
    if not isinstance(text, str):
        raise ValueError(f"invalid UUID {text!r}: not a string")
    size = len(text)
    if size == 45 and text[:9].lower() == "urn:uuid:":
        text = text[9:]
    elif size == 38 and text[0] == "{" and text[-1] == "}":
        text = text[1:-1]
    elif size == 32:
        if _HEX.issuperset(text):
            return uuid.UUID(hex=text)
        raise ValueError(f"invalid UUID {text!r}")
    if (
        len(text) != 36
        or text[8] != "-"
        or text[13] != "-"
        or text[18] != "-"
        or text[23] != "-"
        or not _HEX.issuperset(text.replace("-", ""))
        or text.count("-") != 4
    ):
        raise ValueError(f"invalid UUID {text!r}")
    return uuid.UUID(text)


class _Pairs(list[tuple[str, Any]]):
    """A decoded JSON object (arrays decode to plain lists, so the two stay apart)."""


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"invalid JSON value {name}")


def decode_object(data: bytes | str) -> list[tuple[str, Any]]:
    """Decode a JSON object into its key/value pairs, in document order, duplicates kept.

    Invalid UTF-8 inside strings becomes U+FFFD (as in Go); anything that is not a JSON
    object raises :class:`InvalidMessage`.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        text = bytes(data).decode("utf-8", "replace")
    elif isinstance(data, str):
        text = data
    else:
        raise InvalidMessage(f"expected bytes or str, got {type(data).__name__}")
    try:
        value = json.loads(text, object_pairs_hook=_Pairs, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidMessage(f"invalid JSON: {exc}") from exc
    if not isinstance(value, _Pairs):
        raise InvalidMessage(f"expected a JSON object, got {_json_type(value)}")
    return value


def field_name(key: str, names: tuple[str, ...]) -> str | None:
    """Match a JSON key to a struct field as Go does: exact first, then case-insensitively."""
    if key in names:
        return key
    folded = key.casefold()
    for name in names:
        if name == folded:
            return name
    return None


def string_field(name: str, value: Any) -> str:
    """A JSON string field (callers handle JSON null, which Go treats per field kind)."""
    if isinstance(value, str):
        return scrub(value)
    raise InvalidMessage(f"field {name!r}: expected a string, got {_json_type(value)}")


def uuid_field(name: str, value: Any) -> uuid.UUID:
    """A JSON UUID string field."""
    text = string_field(name, value)
    try:
        return parse_uuid(text)
    except ValueError as exc:
        raise InvalidMessage(f"field {name!r}: {exc}") from exc


def int32_field(name: str, value: Any) -> int:
    """A JSON integer field of Go type int32."""
    if isinstance(value, int) and not isinstance(value, bool) and INT32_MIN <= value <= INT32_MAX:
        return value
    raise InvalidMessage(f"field {name!r}: expected an int32 integer, got {_json_type(value)}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return f"number {value}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _Pairs):
        return "object"
    return "array"
