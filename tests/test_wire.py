from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workspace_events.exceptions import InvalidMessage
from workspace_events.wire import decode_object, json_string, parse_uuid

U = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")


@pytest.mark.parametrize(
    "text",
    [
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
        "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
        "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "URN:UUID:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b8109dad11d180b400c04fd430c8",
    ],
)
def test_parse_uuid_accepts_go_forms(text: str) -> None:
    assert parse_uuid(text) == U


@pytest.mark.parametrize(
    "text",
    [
        "",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c",  # short
        "6ba7b8109-dad-11d1-80b4-00c04fd430c8",  # hyphen misplaced
        "6ba7b810-9dad-11d1-80b4-00c04fd430cg",  # not hex
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8-",
        "6b-a7b8109dad11d180b400c04fd430c8",  # Python's parser accepts this; Go does not
        "(6ba7b810-9dad-11d1-80b4-00c04fd430c8)",
        "urn:uuix:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "\uff16ba7b810-9dad-11d1-80b4-00c04fd430c8",  # a full-width digit
    ],
)
def test_parse_uuid_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid UUID"):
        parse_uuid(text)


def test_parse_uuid_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="not a string"):
        parse_uuid(123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("plain", b'"plain"'),
        ('q"b\\', b'"q\\"b\\\\"'),
        ("<a&b>", b'"\\u003ca\\u0026b\\u003e"'),
        ("\n\r\t\b\f\x01", b'"\\n\\r\\t\\b\\f\\u0001"'),
        ("\u2028\u2029", b'"\\u2028\\u2029"'),
        ("héllo✓", '"héllo✓"'.encode()),
        ("\ud800x", '"\ufffdx"'.encode()),
    ],
)
def test_json_string_matches_go_marshal(text: str, encoded: bytes) -> None:
    assert json_string(text) == encoded


@given(st.text())
def test_json_string_is_json_for_any_text(text: str) -> None:
    encoded = json_string(text)
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert json.loads(encoded) == expected
    assert not {b"<", b">", b"&"} & {encoded[i : i + 1] for i in range(len(encoded))}


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "invalid JSON"),
        (b"nul", "invalid JSON"),
        (b"[]", "got array"),
        (b'"x"', "got string"),
        (b"null", "got null"),
        (b"12", "got number"),
        (b'{"a": NaN}', "invalid JSON"),
        (b"[" * 100_000, "invalid JSON"),
        (b"\xef\xbb\xbf{}", "invalid JSON"),
    ],
)
def test_decode_object_rejects(data: bytes, detail: str) -> None:
    with pytest.raises(InvalidMessage, match=detail):
        decode_object(data)


def test_decode_object_keeps_order_and_duplicates() -> None:
    assert decode_object(b'{"a": 1, "b": 2, "a": 3}') == [("a", 1), ("b", 2), ("a", 3)]
    assert decode_object(b"{}") == []


def test_decode_object_replaces_invalid_utf8_in_strings() -> None:
    assert decode_object(b'{"a": "x\xffy"}') == [("a", "x\ufffdy")]


def test_decode_object_rejects_other_types() -> None:
    with pytest.raises(InvalidMessage, match="expected bytes or str"):
        decode_object(None)  # type: ignore[arg-type]
