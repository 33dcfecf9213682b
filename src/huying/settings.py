"""Huying settings: one module, read from the environment (HUYING_*).

Every HUYING_* variable read here is documented in README.md (a test checks it).
SQLite is the embedded default; PostgreSQL is chosen by HUYING_DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from huying.paths import PACKAGE_DIR, data_dir

PLACEHOLDER_SECRET_KEY = "huying-insecure-placeholder-change-me"  # noqa: S105


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = data_dir()
DEBUG = env_bool("HUYING_DEBUG", False)
SECRET_KEY = env_str("HUYING_SECRET_KEY", PLACEHOLDER_SECRET_KEY)
if not DEBUG and SECRET_KEY == PLACEHOLDER_SECRET_KEY:
    raise ImproperlyConfigured(
        "HUYING_SECRET_KEY is the placeholder; set a long random value "
        "(or HUYING_DEBUG=1 for development only)."
    )

ALLOWED_HOSTS = env_list("HUYING_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("HUYING_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its bundled Swagger UI files, so /api/docs needs no CDN
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "huying.core",
    "huying.orgs",
    "huying.calls",
    "huying.notify",
    "huying.open311",
    "huying.datahub",
    "huying.patrol",
    "huying.sensing",
    "huying.supervision",
    "huying.dashboard",
    "huying.demo",
]

MIDDLEWARE = [
    "huying.core.middleware.RequestContextMiddleware",
    "huying.core.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "huying.urls"
WSGI_APPLICATION = "huying.wsgi.application"
ASGI_APPLICATION = "huying.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huying.dashboard.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASE_URL = env_str("HUYING_DATABASE_URL", f"sqlite:///{DATA_DIR / 'huying.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so two writers never
        # both read the audit chain head and then collide on the upgrade to a write lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_MAX_FAILURES = env_int("HUYING_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("HUYING_LOGIN_LOCKOUT_MINUTES", 15)
API_TOKEN_TTL_HOURS = env_int("HUYING_API_TOKEN_TTL_HOURS", 12)
SESSION_COOKIE_AGE = env_int("HUYING_SESSION_HOURS", 10) * 3600

# --- language and time ----------------------------------------------------
LANGUAGE_CODE = env_str("HUYING_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("HUYING_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- static files: vendored, never a CDN ---------------------------------
STATIC_URL = "/static/"
# Only needed to hand the files to a front proxy (`huying manage collectstatic`); the app
# itself serves the vendored files straight from the package (WhiteNoise + finders).
STATIC_ROOT = env_str("HUYING_STATIC_ROOT") or None
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the package folders too, so `huying serve` works before collectstatic.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# --- background work ------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_INTERVAL_SECONDS = env_int("HUYING_WORKER_INTERVAL", 5)

# --- calls (有呼必应) ------------------------------------------------------
CALLS_SWEEP_SECONDS = env_int("HUYING_CALLS_SWEEP_SECONDS", 30)
CALLS_URGE_GRACE_WORKING_DAYS = env_int("HUYING_CALLS_URGE_GRACE_WORKING_DAYS", 5)
CALLS_RANKING_MIN_CALLS = env_int("HUYING_CALLS_RANKING_MIN_CALLS", 5)
CALLS_ATTACHMENT_MAX_MB = env_int("HUYING_CALLS_ATTACHMENT_MAX_MB", 10)
# Cache the call list and detail per process until the next write of calls (calls.read_cache).
CALLS_READ_CACHE = env_bool("HUYING_CALLS_READ_CACHE", True)

# The data hub: loaded source records live as Parquet under DATAHUB_DIR, queried with DuckDB.
DATAHUB_DIR = Path(env_str("HUYING_DATAHUB_DIR") or DATA_DIR / "datahub")
DATAHUB_DUCKDB_THREADS = env_int("HUYING_DATAHUB_THREADS", 2)
DATAHUB_DUCKDB_MEMORY = env_str("HUYING_DATAHUB_MEMORY", "2GB")
# Swipes this recent count as "still living there" for the discrepancy detectors.
DATAHUB_SWIPE_WINDOW_DAYS = env_int("HUYING_DATAHUB_SWIPE_WINDOW_DAYS", 30)

# --- patrol (出租屋巡查) --------------------------------------------------
PATROL_REVISIT_DAYS = env_int("HUYING_PATROL_REVISIT_DAYS", 3)
# How many households a day plan holds at most (the routine round fills it up to this).
PATROL_DAILY_CAP = env_int("HUYING_PATROL_DAILY_CAP", 200)
PATROL_STAY_RADIUS_M = env_int("HUYING_PATROL_STAY_RADIUS_M", 30)
PATROL_STAY_MINUTES = env_int("HUYING_PATROL_STAY_MINUTES", 2)
PATROL_TRACK_RETENTION_DAYS = env_int("HUYING_PATROL_TRACK_RETENTION_DAYS", 180)

# --- sensing (感知监测) ---------------------------------------------------
# Readings stay in the database this long, then live only in the daily Parquet partitions.
SENSING_KEEP_DAYS = env_int("HUYING_SENSING_KEEP_DAYS", 7)
SENSING_DIR = Path(env_str("HUYING_SENSING_DIR") or DATA_DIR / "sensing")
SENSING_HJ212_HOST = env_str("HUYING_SENSING_HJ212_HOST", "127.0.0.1")
SENSING_HJ212_PORT = env_int("HUYING_SENSING_HJ212_PORT", 8212)
SENSING_MQTT_URL = env_str("HUYING_SENSING_MQTT_URL", "mqtt://127.0.0.1:1883")
# The MQTT session name: fixed, so a restarted process gets its unacknowledged messages again;
# give each ingest process its own (empty: huying-ingest-<host name>).
SENSING_MQTT_CLIENT_ID = env_str("HUYING_SENSING_MQTT_CLIENT_ID", "")
# The shared-subscription group: the ingest processes of one installation split the messages;
# two installations on one broker need two groups, or each takes the other's messages.
SENSING_MQTT_GROUP = env_str("HUYING_SENSING_MQTT_GROUP", "huying")
SENSING_HTTP_HOST = env_str("HUYING_SENSING_HTTP_HOST", "127.0.0.1")
SENSING_HTTP_PORT = env_int("HUYING_SENSING_HTTP_PORT", 8213)
# A connection that sends nothing for this long is closed (slow or dead peers hold no memory).
SENSING_IDLE_SECONDS = env_int("HUYING_SENSING_IDLE_SECONDS", 300)
# GB/T 28181 alarm notifications (SIP MESSAGE over UDP) from cameras and video platforms.
SENSING_SIP_HOST = env_str("HUYING_SENSING_SIP_HOST", "127.0.0.1")
SENSING_SIP_PORT = env_int("HUYING_SENSING_SIP_PORT", 15060)
# The department a confirmed video event is called to (urban management), by org code.
SENSING_VIDEO_DEPARTMENT = env_str("HUYING_SENSING_VIDEO_DEPARTMENT", "440111-cgj")

# --- supervision (精准监督) ------------------------------------------------
# Burden checks of a reporting task: a frequency above this one is flagged (daily, weekly,
# monthly, quarterly, yearly).
SUPERVISION_MAX_FREQUENCY = env_str("HUYING_SUPERVISION_MAX_FREQUENCY", "monthly")
# A task whose fields are this share or more equivalent to another active task's is flagged.
SUPERVISION_OVERLAP_SHARE = float(env_str("HUYING_SUPERVISION_OVERLAP_SHARE") or 0.5)
# Registered tasks landing on one town in one month above this are flagged.
SUPERVISION_TOWN_MONTHLY_CAP = env_int("HUYING_SUPERVISION_TOWN_MONTHLY_CAP", 8)
# A warning (提醒) must be answered within this many working days.
SUPERVISION_ANSWER_WORKING_DAYS = env_int("HUYING_SUPERVISION_ANSWER_WORKING_DAYS", 5)
# Filling in: minutes a cadre saves for each field the platform pre-fills and the unit keeps.
SUPERVISION_MINUTES_PER_FIELD = float(env_str("HUYING_SUPERVISION_MINUTES_PER_FIELD") or 3)
# Inspection plans: an assessment launched is planned, and two planned assessments are proposed
# for merging, at or above this similarity of names or of items (0 to 1).
SUPERVISION_SIMILAR_ASSESSMENT = float(env_str("HUYING_SUPERVISION_SIMILAR_ASSESSMENT") or 0.6)

# --- notifications: outside channels (the in-app inbox needs no setting) ---
NOTIFY_WEBHOOK_URL = env_str("HUYING_NOTIFY_WEBHOOK_URL")
if NOTIFY_WEBHOOK_URL and not NOTIFY_WEBHOOK_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("HUYING_NOTIFY_WEBHOOK_URL must start with http:// or https://")
NOTIFY_WEBHOOK_TIMEOUT = env_int("HUYING_NOTIFY_WEBHOOK_TIMEOUT", 10)
NOTIFY_MAX_ATTEMPTS = env_int("HUYING_NOTIFY_MAX_ATTEMPTS", 8)

# --- HTTPS (behind a TLS-terminating proxy in production) -----------------
HTTPS = env_bool("HUYING_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("HUYING_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# /healthz is probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

LOG_LEVEL = env_str("HUYING_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # It announces every empty poll of the task queue; keep the worker's log readable.
        "django_tasks_db": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_CLASS = "huying.core.pagination.BoundedLimitOffset"
