from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do() -> None:
    out = StringIO()
    call_command("makemigrations", "workspace_events", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
