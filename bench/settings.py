"""Settings of the benchmark server: our consumers and a bare baseline, one layer from the env.

BENCH_LAYER is pubsub (RedisPubSubChannelLayer), core (RedisChannelLayer) or memory.
"""

from __future__ import annotations

import os

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "bench.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "workspace_events",
]

if os.environ.get("BENCH_POSTGRES"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["BENCH_POSTGRES"],
            "HOST": os.environ.get("BENCH_POSTGRES_HOST", "127.0.0.1"),
            "PORT": os.environ.get("BENCH_POSTGRES_PORT", "5432"),
            "USER": os.environ.get("BENCH_POSTGRES_USER", "postgres"),
            # Django's ASGI handler runs each request's sync code on a thread of its own:
            # a pool, not persistent connections, keeps connections few and warm.
            "OPTIONS": {"pool": {"min_size": 4, "max_size": 16}},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BENCH_DB", "/tmp/workspace-events-bench.sqlite3"),
            "OPTIONS": {"timeout": 30},
        }
    }

_redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
_prefix = os.environ.get("BENCH_PREFIX", "wse-bench")
_layer = os.environ.get("BENCH_LAYER", "pubsub")
if _layer == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_redis], "prefix": _prefix},
        }
    }
elif _layer == "core":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A socket timeout above the 5 s blocking pop (channels_redis #422), and room
            # for bursts: both implementations get the same layer.
            "CONFIG": {
                "hosts": [{"address": _redis, "socket_timeout": 30}],
                "prefix": _prefix,
                "capacity": 10_000,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

WORKSPACE_EVENTS_LOG = os.environ.get("BENCH_LOG", "1") == "1"
WORKSPACE_EVENTS_HEARTBEAT_INTERVAL = 60.0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
