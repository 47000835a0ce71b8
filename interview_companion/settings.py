"""Settings for Interview Companion.

Every value comes from the environment (django-environ) with a safe development
default, so a newcomer runs the app with nothing configured: SQLite, the in-memory
channel layer and the built-in AI provider. `.env.example` lists every variable.
"""

from __future__ import annotations

import base64
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read when present; real deployments set the environment instead.
# (Checked here: read_env logs "not found" at INFO before logging is configured.)
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=["http://127.0.0.1:8000", "http://localhost:8000"]
)

INSTALLED_APPS = [
    # Daphne first: its runserver serves HTTP and websockets from one process.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "accounts",
    "audit",
    "candidates",
    "interviews",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app server (Daphne has no static handler).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "interview_companion.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Outside CSRF and the login check, so their refusals are JSON under /api/ too.
    "interview_companion.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "interview_companion.urls"
WSGI_APPLICATION = "interview_companion.wsgi.application"
ASGI_APPLICATION = "interview_companion.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "interview_companion.context_processors.app_settings",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at the
    # start of a transaction instead of failing with "database is locked" on upgrade.
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
    if env.bool("DB_POOL", default=False):
        # Under ASGI each request runs in a thread of its own, so persistent
        # per-thread connections cannot be reused; a psycopg pool can. Production
        # turns it on (README, "Production"); the test suite keeps plain connections.
        _db["CONN_MAX_AGE"] = 0
        _db["OPTIONS"]["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=20),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
IS_POSTGRES = _db["ENGINE"].startswith("django.db.backends.postgresql")

# Seed tables use `serial` (integer) primary keys.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# --- Channels -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer publishes a group message once per process instead of
            # once per subscriber, which is what a 1,000-viewer broadcast needs.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # One process, no Redis: the in-memory layer, its expiry walk at most once per
    # INMEMORY_LAYER_CLEAN_SECONDS (channel_layers.py says why; 0: Channels' own).
    _clean_every = env.float("INMEMORY_LAYER_CLEAN_SECONDS", default=1.0)
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "interview_companion.channel_layers.ThrottledInMemoryChannelLayer",
            "CONFIG": {"clean_every": _clean_every},
        }
        if _clean_every > 0
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CLERK_PUBLISHABLE_KEY = env.str("CLERK_PUBLISHABLE_KEY", default="")
# The instance's PEM public key: session tokens are verified without network.
CLERK_JWT_KEY = env.str("CLERK_JWT_KEY", default="", multiline=True)
CLERK_AUTHORIZED_PARTIES = env.list("CLERK_AUTHORIZED_PARTIES", default=[])
CLERK_FRONTEND_API = env.str("CLERK_FRONTEND_API", default="")
CLERK_WEBHOOK_SECRET = env.str("CLERK_WEBHOOK_SECRET", default="")
CLERK_ENABLED = bool(CLERK_PUBLISHABLE_KEY and CLERK_JWT_KEY)
if CLERK_PUBLISHABLE_KEY and not CLERK_FRONTEND_API:
    # A publishable key is pk_test_/pk_live_ + base64("<Frontend API host>$"): the
    # host the CSP must admit and the `iss` of the instance's session tokens.
    try:
        CLERK_FRONTEND_API = (
            base64.b64decode(CLERK_PUBLISHABLE_KEY.split("_", 2)[2] + "==").decode().rstrip("$")
        )
    except (IndexError, ValueError) as exc:
        raise ImproperlyConfigured("CLERK_PUBLISHABLE_KEY is not a Clerk publishable key.") from exc
if CLERK_ENABLED and not CLERK_AUTHORIZED_PARTIES:
    # Without it a session token minted for another site of the same Clerk instance
    # would sign in here (Clerk's `azp` check is skipped).
    raise ImproperlyConfigured(
        "CLERK_AUTHORIZED_PARTIES must list the dashboard's origins "
        "(e.g. https://interviews.example.com) when Clerk sign-in is configured."
    )

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-interviews-2026")

# Failed attempts allowed per window (accounts/ratelimit.py): unknown bearer tokens
# per client address (a valid token is never refused), wrong passwords per account
# and client address; and wrong passwords per address over all accounts.
AUTH_RATE_LIMIT = env.int("AUTH_RATE_LIMIT", default=10)
AUTH_PASSWORD_ADDRESS_LIMIT = env.int("AUTH_PASSWORD_ADDRESS_LIMIT", default=50)
AUTH_RATE_WINDOW_SECONDS = env.int("AUTH_RATE_WINDOW_SECONDS", default=300)
# Behind a reverse proxy every request comes from the proxy's address: the client
# address is the last X-Forwarded-For hop (the one the proxy appended), on every
# path (interview_companion.http.client_address).
AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR = env.bool("BEHIND_PROXY", default=False)
# The failure counts above live in the cache: share it between server processes
# with CACHE_URL=redis://host:6379/1 (the default is per process).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- AI and speech providers --------------------------------------------------
AI_PROVIDERS = env.list("AI_PROVIDERS", default=["builtin"])
_known_ai = {"builtin", "openai", "anthropic"}
if unknown := set(AI_PROVIDERS) - _known_ai:
    raise ImproperlyConfigured(
        f"AI_PROVIDERS has unknown provider(s) {sorted(unknown)}; known: {sorted(_known_ai)}"
    )
AI_TIMEOUT_SECONDS = env.float("AI_TIMEOUT_SECONDS", default=30.0)
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="")
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default="claude-sonnet-4-5")
# Run the analysis runner inside each server process (off for one-off commands).
ANALYSIS_IN_PROCESS = env.bool("ANALYSIS_IN_PROCESS", default=True)
ANALYSIS_POLL_SECONDS = env.float("ANALYSIS_POLL_SECONDS", default=2.0)
# Model calls in flight at once per analysis process (one interview each: an
# interview's answers are analysed in order).
AI_CONCURRENCY = env.int("AI_CONCURRENCY", default=16)
if AI_CONCURRENCY < 1:
    raise ImproperlyConfigured("AI_CONCURRENCY must be at least 1")
# An answer is analysed when complete: Deepgram's speech_final / UtteranceEnd, a
# change of speaker, or this long without a new final chunk, whichever first.
ANALYSIS_ANSWER_GAP_SECONDS = env.float("ANALYSIS_ANSWER_GAP_SECONDS", default=1.5)
# A long answer still going gets a provisional analysis of what was said so far,
# at most this often.
ANALYSIS_PROVISIONAL_SECONDS = env.float("ANALYSIS_PROVISIONAL_SECONDS", default=8.0)
# The live page says "analysis is N answers behind" from this many waiting answers.
ANALYSIS_BEHIND_AT = env.int("ANALYSIS_BEHIND_AT", default=2)
# Where analysis runs: "inprocess" (the runner inside each server process, the
# embedded default) or "celery" (tasks on Redis, done by `celery -A
# interview_companion.celery worker` processes anywhere; the servers then run none).
ANALYSIS_WORKERS = env.str("ANALYSIS_WORKERS", default="inprocess")
if ANALYSIS_WORKERS not in ("inprocess", "celery"):
    raise ImproperlyConfigured("ANALYSIS_WORKERS must be 'inprocess' or 'celery'")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
if ANALYSIS_WORKERS == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("ANALYSIS_WORKERS=celery needs REDIS_URL (or CELERY_BROKER_URL)")
CELERY_TASK_IGNORE_RESULT = True  # the database holds the results
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a slow model call must not hold queued work
# Model requests per minute across every analysis process (0: no limit), the
# provider's quota: with Celery counted in Redis, in process counted per process.
AI_REQUESTS_PER_MINUTE = env.int("AI_REQUESTS_PER_MINUTE", default=0)

DEEPGRAM_API_KEY = env.str("DEEPGRAM_API_KEY", default="")
DEEPGRAM_URL = env.str("DEEPGRAM_URL", default="wss://api.deepgram.com/v1/listen")
DEEPGRAM_MODEL = env.str("DEEPGRAM_MODEL", default="nova-3")
# The live audio relay (interviews/live/relay.py). Audio received while Deepgram is
# unreachable waits in a per-capture buffer of this many bytes (2 MB is about eight
# minutes of browser opus) and is replayed on reconnect; beyond it the page is told.
STT_BUFFER_BYTES = env.int("STT_BUFFER_BYTES", default=2 * 1024 * 1024)
# Deepgram closes a stream that hears nothing for ~10 s: KeepAlive after this silence.
STT_KEEPALIVE_SECONDS = env.float("STT_KEEPALIVE_SECONDS", default=5.0)
STT_ENDPOINTING_MS = env.int("STT_ENDPOINTING_MS", default=300)
STT_UTTERANCE_END_MS = env.int("STT_UTTERANCE_END_MS", default=1000)
STT_RECONNECT_FIRST_SECONDS = env.float("STT_RECONNECT_FIRST_SECONDS", default=0.5)
STT_RECONNECT_MAX_SECONDS = env.float("STT_RECONNECT_MAX_SECONDS", default=15.0)
# How long stopping a capture waits for Deepgram's last results.
STT_CLOSE_TIMEOUT_SECONDS = env.float("STT_CLOSE_TIMEOUT_SECONDS", default=10.0)
# A capturing browser sends an audio chunk every 250 ms without pause: once it has
# started, this long without any message from it means it is gone (a closed lid, a
# lost network: no TCP reset, so only Daphne's ping would notice, after up to ~50 s).
# The Deepgram stream then gets CloseStream and the socket is closed with 4408
# (interviews/live/audio.py). 0 turns the watchdog off.
AUDIO_BROWSER_SILENCE_SECONDS = env.float("AUDIO_BROWSER_SILENCE_SECONDS", default=4.0)
if AUDIO_BROWSER_SILENCE_SECONDS < 0:
    raise ImproperlyConfigured("AUDIO_BROWSER_SILENCE_SECONDS must be 0 (off) or more.")
# Largest Deepgram pre-recorded JSON accepted by the transcript import.
TRANSCRIPT_IMPORT_MAX_BYTES = env.int("TRANSCRIPT_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

JIRA_BASE_URL = env.str("JIRA_BASE_URL", default="").rstrip("/")
JIRA_EMAIL = env.str("JIRA_EMAIL", default="")
JIRA_API_TOKEN = env.str("JIRA_API_TOKEN", default="")

# --- Candidate rights -----------------------------------------------------------
# README, "Candidate rights". An interview goes live only after the candidate's
# answer to the notice is recorded; a declined notice always stops recording.
CANDIDATE_NOTICE_REQUIRED = env.bool("CANDIDATE_NOTICE_REQUIRED", default=True)
# The interviewer records their own decision before seeing the AI's recommendation.
AI_RECOMMENDATION_AFTER_DECISION = env.bool("AI_RECOMMENDATION_AFTER_DECISION", default=True)
TRANSCRIPT_RETENTION_DAYS = env.int("TRANSCRIPT_RETENTION_DAYS", default=180)
CANDIDATE_RETENTION_DAYS = env.int("CANDIDATE_RETENTION_DAYS", default=730)
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# The audit log must outlive the six months in which a decision can be challenged;
# the PostgreSQL trigger on audit_events holds the same floor.
AUDIT_RETENTION_MIN_DAYS = 183
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least {AUDIT_RETENTION_MIN_DAYS} "
        f"(got {AUDIT_RETENTION_DAYS})."
    )
for _name in ("TRANSCRIPT_RETENTION_DAYS", "CANDIDATE_RETENTION_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive number of days.")

# --- Limits -------------------------------------------------------------------
# Request bodies are refused early above this size (ingest batches stay far below).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=2 * 1024 * 1024)
CV_MAX_UPLOAD_BYTES = env.int("CV_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# A PDF CV is read in a child process (candidates/cv/worker.py), stopped past this
# many seconds (wall clock; the CPU limit is one more) or this much memory (0: no
# memory cap). A real CV takes well under a second.
CV_PARSE_TIMEOUT_SECONDS = env.float("CV_PARSE_TIMEOUT_SECONDS", default=10.0)
CV_PARSE_MEMORY_MB = env.int("CV_PARSE_MEMORY_MB", default=1024)
if CV_PARSE_TIMEOUT_SECONDS <= 0 or CV_PARSE_MEMORY_MB < 0:
    raise ImproperlyConfigured(
        "CV_PARSE_TIMEOUT_SECONDS must be above 0 and CV_PARSE_MEMORY_MB 0 or more."
    )
INGEST_MAX_RESULTS = env.int("INGEST_MAX_RESULTS", default=500)

# The server process's garbage collector (asgi.py): Python's defaults (700, 10, 10)
# made full collections run every second or two under ingest load, each stalling
# every request for tens of milliseconds (README, "Performance").
SERVER_GC_THRESHOLDS = env.list("SERVER_GC_THRESHOLDS", cast=int, default=[20000, 20, 20])
WEBSOCKET_MAX_MESSAGE_BYTES = env.int("WEBSOCKET_MAX_MESSAGE_BYTES", default=64 * 1024)

# --- The two performance bypasses (README, "Performance"), each switchable --------
# API-token transcript posts taken before Django and written in group commits
# (interviews/live/ingest_http.py); off: every post goes through the Django view.
INGEST_FAST_PATH = env.bool("INGEST_FAST_PATH", default=True)
# Live events framed once and written straight to Daphne's sockets
# (interviews/live/wire.py); off: every event goes through ASGI.
LIVE_DIRECT_WRITE = env.bool("LIVE_DIRECT_WRITE", default=True)
# The fast path's writer queue, per process: past either bound a post is answered
# 503 with Retry-After at once. 1,000 is well over half a second of work flat out.
INGEST_QUEUE_MAX = env.int("INGEST_QUEUE_MAX", default=1000)
INGEST_QUEUE_MAX_BYTES = env.int("INGEST_QUEUE_MAX_BYTES", default=64 * 1024 * 1024)
# Daphne refuses a declared Content-Length over the limits (413) before it reads
# and spools the body (interview_companion/early_limit.py).
EARLY_BODY_LIMIT = env.bool("EARLY_BODY_LIMIT", default=True)
for _name in ("INGEST_QUEUE_MAX", "INGEST_QUEUE_MAX_BYTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive number.")

# --- I18n ---------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="es")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Madrid")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Development and the demo serve from the source folders; production runs
# `collectstatic` and serves hashed, compressed files from STATIC_ROOT.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded CVs are never served by the static server: a view checks the session.
MEDIA_URL = "/files/"

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer probes over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# /healthz names what is down (and the database vendor, the channel layer) only to
# staff and to a caller sending this in X-Healthz-Token; empty: staff only.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# A CSRF refusal under /api/ is JSON (401 for a caller nobody signed in).
CSRF_FAILURE_VIEW = "interview_companion.views.csrf_failure"
# Origins (scheme://host[:port]) a browser websocket may come from besides the
# page's own; defaults to CSRF_TRUSTED_ORIGINS (accounts/websocket.py).
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=[])
# How often each server process re-checks the users and API tokens of its open
# websockets against the database, closing those withdrawn (4401); a revocation
# is announced at once over the channel layer, this catches what that missed.
# 0 turns the re-check off.
WEBSOCKET_AUTH_RECHECK_SECONDS = env.float("WEBSOCKET_AUTH_RECHECK_SECONDS", default=5.0)
if WEBSOCKET_AUTH_RECHECK_SECONDS < 0:
    raise ImproperlyConfigured("WEBSOCKET_AUTH_RECHECK_SECONDS must be 0 (off) or more.")

# One handler, on the root logger, so each event is one line: Django's own "django"
# logger gets no handler of its own (with DEBUG it had one and also passed every
# request warning up to the root, which printed it again). Times in UTC.
# Third-party progress (WeasyPrint's per-step lines, fontTools' subsetting) is below
# INFO: it says nothing about the application.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "interview_companion.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.channels.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
