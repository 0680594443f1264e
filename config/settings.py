"""Settings for the portal. Everything that differs between machines comes from the environment.

With nothing set the portal runs on SQLite under var/ with Celery's filesystem broker (the embedded default);
DATABASE_URL and REDIS_URL switch it to PostgreSQL and Redis. DEBUG=0 is production and refuses to start without
a real SECRET_KEY.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import development_secret_key, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", True)
# `make run` (scripts/run.sh): the product as a user sees it (DEBUG off, Chinese error pages) on this machine, over
# plain HTTP on the loopback names, with static files served by WhiteNoise from the source folders (no collectstatic).
LOCAL_RUN = env_bool("LOCAL_RUN", False)

# The fixed key that earlier versions published for development: refused everywhere from now on.
_PUBLISHED_DEV_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", "")
if (DEBUG or LOCAL_RUN) and (not SECRET_KEY or SECRET_KEY == _PUBLISHED_DEV_KEY):
    # make run, manage.py and the tests: a random key made once per checkout and kept in var/secret_key.
    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _PUBLISHED_DEV_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DEBUG=0 needs SECRET_KEY: a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG or LOCAL_RUN else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form (expired page, cookies blocked) gets the portal's Chinese page, not Django's English one.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "core",
    "config",
    "instructors",
    "courses",
    "outreach",
    "evaluations",
    "care",
    "alliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# Settings create no folders: `make setup`, scripts/run.sh and config/celery.py make var/ and its sub-folders.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # A node whose database is unreachable should fail its readiness check quickly, not hang a worker thread.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # IMMEDIATE transactions and WAL let the web server and the worker write without "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "instructors.User"

# --- Cache and Celery -----------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Bounded waits: an unreachable Redis makes /readyz answer 503 instead of hanging the probe.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    # Sessions live in the database with Redis in front: every web node sees every session, and a Redis flush
    # logs nobody out. Without REDIS_URL sessions stay in the database (the default engine).
    SESSION_ENGINE = "config.sessions"
    CELERY_BROKER_URL = REDIS_URL
    # Exactly one scheduler: RedBeat keeps the schedule in Redis and holds a lock there. A second `celery beat`
    # waits as a standby and takes over when the lock expires (or at once when the holder stops cleanly).
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env_str("REDBEAT_KEY_PREFIX", "redbeat")
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("REDBEAT_LOCK_TIMEOUT", 30, minimum=10)
    # The scheduler wakes at least this often; it renews the lock on each wake, so this must stay well below the
    # lock timeout, and a standby polls for the lock at this pace.
    CELERY_BEAT_MAX_LOOP_INTERVAL = 5
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _queue_dir = VAR_DIR / "celery"  # created by config/celery.py before the broker first writes to it
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),  # kombu's default is ./control in the working directory
    }
# Celery's own log formats, with the id of the web request that queued the task at the end (config/celery.py).
CELERY_WORKER_LOG_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] %(message)s [%(request_id)s]"
CELERY_WORKER_TASK_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] %(task_name)s[%(task_id)s]: %(message)s [%(request_id)s]"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic job of the portal, in one place.
CELERY_BEAT_SCHEDULE = {
    # Hourly: make any missing photo thumbnails (repairs uploads made while no worker ran).
    "instructors-thumbnails": {"task": "instructors.tasks.missing_thumbnails_task", "schedule": 3600.0},
    # Every 5 minutes: queue again the large Excel imports whose task could not be queued (broker down).
    "core-import-jobs": {"task": "core.tasks.import_jobs_resume_task", "schedule": 300.0},
    # Every 15 minutes: run the review cycles whose due time has passed, and resume any whose worker died.
    "evaluations-review-due": {"task": "evaluations.tasks.review_due_cycles_task", "schedule": 900.0},
    # Every minute: flush the survey mixing buffers that are due, and write out (and destroy the device key of)
    # every survey whose window has closed.
    "evaluations-survey-flush": {"task": "evaluations.tasks.survey_buffers_flush_task", "schedule": 60.0},
    # Every 10 minutes: recompute lecture results while surveys collect answers (and for 4 days after they close).
    "evaluations-results-refresh": {"task": "evaluations.tasks.results_refresh_task", "schedule": 600.0},
    # Every 5 minutes (and at start): the yearly outreach figures of the dashboards exist and are current; hourly at
    # the latest they are recomputed anyway (course status, tiers and listeners carry no change stamp).
    "outreach-coverage-figures": {"task": "outreach.tasks.coverage_figures_repair_task", "schedule": 300.0},
    # Daily at 08:30 (Asia/Shanghai): festival greetings (教师节, 七一, 春节, 中秋) and pool anniversaries; a rerun
    # on the same day sends nothing twice.
    "care-greetings": {"task": "care.tasks.send_greetings_task", "schedule": crontab(hour=8, minute=30)},
    # Every 5 minutes: re-queue lecture analyses whose worker stopped sending heartbeats (killed, restarted).
    "evaluations-analysis-repair": {"task": "evaluations.tasks.analysis_repair_task", "schedule": 300.0},
    # Daily: delete lecture recordings past their retention period (the analysis figures stay).
    "evaluations-analysis-retention": {"task": "evaluations.tasks.analysis_retention_task", "schedule": 86400.0},
    # Every 5 minutes: pull the course feed of every active partner portal whose back-off has run out (alliance).
    "alliance-pull": {"task": "alliance.tasks.partners_pull_task", "schedule": 300.0},
    # Every minute: send again the exchange messages (师资交流) whose partner was down and whose back-off has run out.
    "alliance-outbox": {"task": "alliance.tasks.outbox_send_due_task", "schedule": 60.0},
    # Every minute: send joint-event registrations waiting in the outbox (待发送) whose back-off has run out.
    "alliance-registrations-send": {"task": "alliance.tasks.registrations_send_task", "schedule": 60.0},
    # Hourly: forget the partners' request nonces older than twice the signature window.
    "alliance-nonces-prune": {"task": "alliance.tasks.nonces_prune_task", "schedule": 3600.0},
}

# --- 协作联盟: federation with partner portals (alliance/) ------------------------------------------------------------
# Our Ed25519 signing key: from the environment in production (base64 of the 32-byte seed, or PEM), otherwise kept
# in a file made once like var/secret_key. Never in the database.
ALLIANCE_PRIVATE_KEY = env_str("ALLIANCE_PRIVATE_KEY", "")
ALLIANCE_KEY_FILE = env_path("ALLIANCE_KEY_FILE", VAR_DIR / "alliance_ed25519.key")
# Our public address as partners know it (the signed @target-uri); empty: the address the request came to.
ALLIANCE_BASE_URL = env_str("ALLIANCE_BASE_URL", "")
# Our city's name as partners show it (主办：乐山市); also what our members see as their own portal.
ALLIANCE_PORTAL_NAME = env_str("ALLIANCE_PORTAL_NAME", "")
ALLIANCE_SIGNATURE_WINDOW_SECONDS = env_int("ALLIANCE_SIGNATURE_WINDOW_SECONDS", 300, minimum=10)
ALLIANCE_TIMEOUT_SECONDS = env_int("ALLIANCE_TIMEOUT_SECONDS", 20, minimum=1)
# A partner that cannot be pulled (or a joint-event registration that cannot be sent) waits
# BACKOFF × 2^(failures−1) seconds, at most BACKOFF_MAX, before the next try.
ALLIANCE_BACKOFF_SECONDS = env_int("ALLIANCE_BACKOFF_SECONDS", 300, minimum=1)
ALLIANCE_BACKOFF_MAX_SECONDS = env_int("ALLIANCE_BACKOFF_MAX_SECONDS", 6 * 3600, minimum=1)
ALLIANCE_FEED_PAGE = env_int("ALLIANCE_FEED_PAGE", 100, minimum=1)

# --- Auth -------------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "config.auth.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# Login throttling (config/auth.py): this many failures lock an account, and a higher number an address, for a while.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
LOGIN_THROTTLE_KEY_PREFIX = ""
# The nginx hosts (as for gunicorn): their X-Forwarded-For names the client whose failed logins are counted.
TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1"])
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Language, time, numbers ------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and media ---------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "staticfiles")
# Only the storage names files by this prefix; no URL serves it (private files go out through views, core/files.py).
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")

# --- 智能教学分析 (lecture recordings, evaluations/analysis) -----------------------------------------------------
# At most nginx's client_max_body_size (deploy/nginx.conf: 520m); raise both together.
ANALYSIS_MAX_UPLOAD_MB = env_int("ANALYSIS_MAX_UPLOAD_MB", 500, minimum=1)
ANALYSIS_MAX_MINUTES = env_int("ANALYSIS_MAX_MINUTES", 180, minimum=1)
# Recordings are deleted this many days after upload; the figures stay.
ANALYSIS_RETENTION_DAYS = env_int("ANALYSIS_RETENTION_DAYS", 90, minimum=1)
# An analysis without a progress heartbeat for this long is taken as abandoned by its worker and re-queued.
ANALYSIS_STALE_SECONDS = env_int("ANALYSIS_STALE_SECONDS", 600, minimum=60)
ANALYSIS_MAX_ATTEMPTS = 3
# The rules' thresholds (evaluations/analysis/engine/settings.py lists every one and its default).
ANALYSIS_RULES = {
    "pace_low": env_int("ANALYSIS_PACE_LOW", 180, minimum=1),  # comfortable speaking rate, 字/分钟
    "pace_high": env_int("ANALYSIS_PACE_HIGH", 260, minimum=1),
    "long_pause_seconds": 5.0,
    "monotone_semitones": 1.5,
    "monotone_min_seconds": 60.0,
    "section_rushed_seconds": 60.0,
    "still_min_seconds": 120.0,
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or LOCAL_RUN
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LOCAL_RUN
# Media on S3-compatible object storage (AWS, MinIO, Ceph, a cloud's OSS) when a bucket is named; every node then
# reads and writes the same files. Photos are personal data: the bucket stays private and URLs are signed.
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "") or None,
            "default_acl": None,
            "querystring_auth": True,
            # Presigned links are made per request by the file views (core/files.py), so they can be short-lived.
            "querystring_expire": env_int("S3_URL_EXPIRE", 300, minimum=10),
            # Like FileSystemStorage: a second upload with the same name gets a new name, never overwrites.
            "file_overwrite": False,
        },
    }
# Private files (core/files.py): every stored file is handed out by a view that checked who may see it, never by
# its URL. django: Django streams it; nginx: X-Accel-Redirect to PRIVATE_FILES_ACCEL_PREFIX, an `internal` nginx
# location over MEDIA_ROOT (deploy/nginx.conf); s3: a redirect to a presigned URL that expires after S3_URL_EXPIRE.
PRIVATE_FILES_SERVE = env_str("PRIVATE_FILES_SERVE", "s3" if S3_BUCKET else "django")
if PRIVATE_FILES_SERVE not in {"django", "nginx", "s3"}:
    raise ImproperlyConfigured(f"PRIVATE_FILES_SERVE={PRIVATE_FILES_SERVE!r} must be django, nginx or s3")
if PRIVATE_FILES_SERVE == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("PRIVATE_FILES_SERVE=s3 needs S3_BUCKET")
PRIVATE_FILES_ACCEL_PREFIX = env_str("PRIVATE_FILES_ACCEL_PREFIX", "/_private/")
if not PRIVATE_FILES_ACCEL_PREFIX.startswith("/"):
    raise ImproperlyConfigured("PRIVATE_FILES_ACCEL_PREFIX must be a path starting with /")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@djsz.local")
# SMTP (with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): the intranet's mail relay.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set one of them")

# --- Production hardening (DEBUG=0) -------------------------------------------------------------------------------
if not DEBUG:
    # LOCAL_RUN speaks plain HTTP to 127.0.0.1: no redirect to HTTPS, no HSTS, cookies without the Secure flag.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL_RUN)
    # Load balancers probe the nodes over plain HTTP: the health endpoints answer instead of redirecting.
    SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL_RUN else 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = not LOCAL_RUN
    CSRF_COOKIE_SECURE = not LOCAL_RUN
SECURE_CONTENT_TYPE_NOSNIFF = True
# Our own origin only: no inline script or style, no eval, no frames, forms post only to us. data: images are the
# icons inside Bootstrap's stylesheet. config/middleware.py sets it on every response that has none.
# With S3 the picture views redirect to presigned bucket URLs, so the bucket's origin is allowed for images
# (S3_MEDIA_ORIGINS overrides the origins derived from the endpoint, e.g. for a custom domain).
_S3_ENDPOINT = env_str("S3_ENDPOINT_URL", "").rstrip("/")
_S3_DEFAULT_ORIGINS = (
    [_S3_ENDPOINT, _S3_ENDPOINT.replace("://", f"://{S3_BUCKET}.", 1)] if _S3_ENDPOINT else ["https://*.amazonaws.com"]
)
MEDIA_ORIGINS = env_list("S3_MEDIA_ORIGINS", _S3_DEFAULT_ORIGINS) if S3_BUCKET else []
_IMG_SOURCES = " ".join(["'self'", *MEDIA_ORIGINS, "data:"])
# The column works' clips play on the portal's work pages (with their 弹幕) from the hosts listed here, e.g.
# COLUMN_MEDIA_ORIGINS=https://media.example.cn; by default only clips on our own origin play.
COLUMN_MEDIA_ORIGINS = env_list("COLUMN_MEDIA_ORIGINS", [])
_MEDIA_SOURCES = " ".join(["'self'", *COLUMN_MEDIA_ORIGINS])
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {_IMG_SOURCES}; font-src 'self'; "
    f"media-src {_MEDIA_SOURCES}; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# One line per record, each with the request id (from the proxy's X-Request-ID, or made here): LOG_FORMAT=json
# writes one JSON object per line for a log collector, anything else plain text.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.middleware.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Domain settings ----------------------------------------------------------------------------------------------
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS_SIDE = 6000
IMPORT_MAX_BYTES = 10 * 1024 * 1024
# A workbook is inspected before parsing (core/imports.py): its unpacked size and its cells and shared strings.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 800_000, minimum=100)
# Files with more data rows than this are checked and imported by a Celery worker with a progress bar.
IMPORT_ASYNC_ROWS = env_int("IMPORT_ASYNC_ROWS", 5000, minimum=0)
# The anonymous survey (README "Evaluation", DEPLOY.md "Threat model of the survey"). Sheets wait in a mixing buffer
# and reach the answer tables in random batches of at least SURVEY_MIX_K, at least SURVEY_MIX_K kept waiting until
# the window closes.
SURVEY_MIX_K = env_int("SURVEY_MIX_K", 10, minimum=1)
# Sheets beyond attendance × this are held as 待核实 until the organizer accepts them.
SURVEY_ATTENDANCE_SLACK = 1.1
# This many near-identical sheets (at most one item different) from one address within SURVEY_BURST_SECONDS are
# held the same way.
SURVEY_BURST_SECONDS = env_int("SURVEY_BURST_SECONDS", 10, minimum=1)
SURVEY_BURST_SIMILAR = env_int("SURVEY_BURST_SIMILAR", 8, minimum=2)
# New phones (no device cookie yet) per address and survey per minute: a classroom behind one NAT address brings
# 300 in a minute, so the limit sits well above that.
SURVEY_NEW_DEVICES_PER_MINUTE = env_int("SURVEY_NEW_DEVICES_PER_MINUTE", 600, minimum=1)
# The rotating on-screen code: a new QR every SURVEY_LIVE_STEP_SECONDS, each link valid SURVEY_LIVE_VALID_SECONDS
# after it was last shown.
SURVEY_LIVE_STEP_SECONDS = 30
# The public's comments on column works (弹幕, 留言): at most this many a minute from one phone (device cookie) and
# from one address (a school's or a village's network shares one address, hence the higher figure).
PUBLIC_COMMENTS_PER_DEVICE_PER_MINUTE = env_int("PUBLIC_COMMENTS_PER_DEVICE_PER_MINUTE", 5, minimum=1)
PUBLIC_COMMENTS_PER_ADDRESS_PER_MINUTE = env_int("PUBLIC_COMMENTS_PER_ADDRESS_PER_MINUTE", 30, minimum=1)
SURVEY_LIVE_VALID_SECONDS = 120
# Hours an instructor needs between lectures in different counties (outreach's travel buffer).
OUTREACH_TRAVEL_BUFFER_HOURS = env_int("OUTREACH_TRAVEL_BUFFER_HOURS", 2, minimum=0)
