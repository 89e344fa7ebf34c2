from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from workspace_events import ConfigurationError, owner_id_for

FIXED = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")


def user(pk: object) -> SimpleNamespace:
    return SimpleNamespace(pk=pk, is_authenticated=True)


def owner_from_attribute(user: SimpleNamespace) -> uuid.UUID:
    return user.external_id  # type: ignore[no-any-return]


def not_a_uuid(user: SimpleNamespace) -> str:
    return "nope"


def test_integer_primary_key() -> None:
    assert owner_id_for(user(1)) == uuid.UUID("00000000-0000-0000-0000-000000000001")
    assert owner_id_for(user(2**64)) == uuid.UUID(int=2**64)


def test_uuid_primary_key() -> None:
    assert owner_id_for(user(FIXED)) == FIXED


@pytest.mark.parametrize("pk", ["abc", 0, -1, True, None, 1.5])
def test_other_primary_keys_need_a_mapping(pk: object) -> None:
    with pytest.raises(ConfigurationError, match="WORKSPACE_EVENTS_OWNER_ID"):
        owner_id_for(user(pk))


def test_anonymous_users_own_nothing() -> None:
    with pytest.raises(ValueError, match="anonymous"):
        owner_id_for(AnonymousUser())
    with pytest.raises(ValueError, match="anonymous"):
        owner_id_for(None)


@override_settings(WORKSPACE_EVENTS_OWNER_ID="tests.test_owners.owner_from_attribute")
def test_configured_mapping() -> None:
    account = user(5)
    account.external_id = FIXED
    assert owner_id_for(account) == FIXED


@override_settings(WORKSPACE_EVENTS_OWNER_ID="tests.test_owners.not_a_uuid")
def test_configured_mapping_must_return_a_uuid() -> None:
    with pytest.raises(ConfigurationError, match="returned str, not a UUID"):
        owner_id_for(user(5))


@override_settings(WORKSPACE_EVENTS_OWNER_ID="tests.test_owners.missing")
def test_configured_mapping_must_import() -> None:
    with pytest.raises(ConfigurationError, match=r"cannot import 'tests\.test_owners\.missing'"):
        owner_id_for(user(5))
