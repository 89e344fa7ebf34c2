"""The demo's users: two workspace owners, an operator and the provisioner's service account.

``seed()`` is idempotent: run it as often as you like, it resets the demo passwords.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission, User
from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import Workspace

PASSWORD = "demo"
OWNERS: dict[str, tuple[str, ...]] = {"ada": ("dev", "notebook"), "bob": ("dev", "ci-runner")}
OPERATOR = "operator"
PROVISIONER = "provisioner"

# app_label.codename
OPERATOR_PERMISSIONS = (
    "workspace_events.watch_all_builds",
    "workspace_events.watch_any_owner",
    "workspace_events.view_eventlogentry",
    "workspaces.view_workspace",
    "workspaces.view_workspacebuild",
    "workspaces.view_workspaceagent",
)
PROVISIONER_PERMISSIONS = ("workspace_events.publish_build_update",)


@dataclass(frozen=True)
class Seeded:
    owners: dict[str, tuple[str, ...]]
    operator: str
    provisioner_token: str


def permissions(*names: str) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def provisioner_token() -> str:
    """The DRF token of the provisioner's service account, created on first use."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=PROVISIONER)
        if created:
            user.set_unusable_password()  # a service account: it never logs in
            user.save()
            user.user_permissions.set(permissions(*PROVISIONER_PERMISSIONS))
        token, _ = Token.objects.get_or_create(user=user)
    return str(token.key)


def _user(username: str, **fields: object) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults=fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def seed() -> Seeded:
    """Create (or reset) the demo users and their workspaces."""
    with transaction.atomic():
        for username, names in OWNERS.items():
            owner = _user(username)
            for name in names:
                Workspace.objects.get_or_create(owner=owner, name=name)
        operator = _user(OPERATOR, is_staff=True)
        operator.user_permissions.add(*permissions(*OPERATOR_PERMISSIONS))
    return Seeded(owners=OWNERS, operator=OPERATOR, provisioner_token=provisioner_token())
