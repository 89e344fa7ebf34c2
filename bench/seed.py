"""Create the benchmark database: ``python -m bench.seed <users>`` prints tokens as JSON."""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth.models import Permission, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from workspace_events import owner_id_for  # noqa: E402


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    users = User.objects.bulk_create(User(username=f"user{n:05d}") for n in range(count))
    tokens = Token.objects.bulk_create(
        Token(user=user, key=Token.generate_key()) for user in users
    )
    provisioner = User.objects.create(username="provisioner")
    provisioner.user_permissions.add(Permission.objects.get(codename="publish_build_update"))
    print(
        json.dumps(
            {
                "tokens": [token.key for token in tokens],
                "owners": [str(owner_id_for(user)) for user in users],
                "provisioner": Token.objects.create(user=provisioner).key,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
