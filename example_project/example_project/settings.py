"""Settings of the example project.

Embedded by default: SQLite and the in-memory channel layer, no other server. Set
``REDIS_URL`` to use Redis through channels_redis, so several server processes share one
event stream.

Environment variables (all optional):

- ``REDIS_URL``, ``REDIS_PREFIX``: the Redis channel layer and its key prefix;
- ``EXAMPLE_DB``: the SQLite file (default ``example_project/db.sqlite3``);
- ``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS``, ``DJANGO_SECRET_KEY``;
- ``EXAMPLE_SIMULATORS=0``: no simulated provisioner or agents in this process;
- ``EXAMPLE_BASE_URL``: where the provisioner posts build updates (default: the address
  the server process listens on);
- ``EXAMPLE_FAILURE_RATE`` (0.15), ``EXAMPLE_STEP_SECONDS`` (1.5),
  ``EXAMPLE_STATS_INTERVAL`` (5): how often builds fail, and the simulation's pace;
- ``EXAMPLE_REPLAY_LIMIT``, ``EXAMPLE_PROBE_INTERVAL``: ``WORKSPACE_EVENTS_REPLAY_LIMIT``
  (1000) and ``WORKSPACE_EVENTS_PROBE_INTERVAL`` (2 s).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-project-not-for-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "workspace_events",
    "workspaces.apps.WorkspacesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
ASGI_APPLICATION = "example_project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB", str(BASE_DIR / "db.sqlite3")),
        # IMMEDIATE: a transaction takes the write lock up front, so several server
        # processes wait for each other instead of failing with "database is locked".
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # A prefix of its own keeps deployments sharing one Redis apart.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("REDIS_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
}

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Stats reports are the busiest kind and nothing needs to resume them: not logged.
WORKSPACE_EVENTS_UNLOGGED_KINDS = {"stats_update"}
WORKSPACE_EVENTS_REPLAY_LIMIT = int(os.environ.get("EXAMPLE_REPLAY_LIMIT", "1000"))
WORKSPACE_EVENTS_PROBE_INTERVAL = float(os.environ.get("EXAMPLE_PROBE_INTERVAL", "2"))

# The example's simulators (workspaces/conf.py).
WORKSPACES_SIMULATORS = os.environ.get("EXAMPLE_SIMULATORS", "1") == "1"
WORKSPACES_BASE_URL = os.environ.get("EXAMPLE_BASE_URL") or None
WORKSPACES_FAILURE_RATE = float(os.environ.get("EXAMPLE_FAILURE_RATE", "0.15"))
WORKSPACES_STEP_SECONDS = float(os.environ.get("EXAMPLE_STEP_SECONDS", "1.5"))
WORKSPACES_STATS_INTERVAL = float(os.environ.get("EXAMPLE_STATS_INTERVAL", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "workspaces": {"handlers": ["console"], "level": "INFO"},
        "workspace_events": {"handlers": ["console"], "level": "WARNING"},
    },
}
