"""Create the demo users and print how to log in (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ...accounts import PASSWORD, seed


def layer_description() -> str:
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get("default", {})
    backend = str(layer.get("BACKEND", ""))
    if backend.endswith("InMemoryChannelLayer"):
        return "in-memory channel layer (one server process; set REDIS_URL to share events)"
    hosts = layer.get("CONFIG", {}).get("hosts", [])
    return f"{backend.rsplit('.', 1)[-1]} on {', '.join(map(str, hosts))}"


class Command(BaseCommand):
    help = "Create (or reset) the demo users ada, bob and operator, and the provisioner token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="where the demo is served"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seeded = seed()
        url = options["url"]
        width = max(len(name) for name in [*seeded.owners, seeded.operator])
        lines = ["", f'Demo logins (password "{PASSWORD}" for each):']
        for owner, workspaces in seeded.owners.items():
            lines.append(f"  {owner:<{width}}  owns workspaces {', '.join(workspaces)}")
        lines += [
            f"  {seeded.operator:<{width}}  operator: sees every build at {url}operator/ "
            f"and the event log at {url}admin/",
            "",
            f"Provisioner API token (POST {url}api/workspace-events/build-updates/): "
            f"{seeded.provisioner_token}",
            f"Events travel over: {layer_description()}",
            "",
            f"Open {url} and log in as ada / {PASSWORD}, then press Start.",
            "",
        ]
        self.stdout.write("\n".join(lines))
