"""Ashyq settings: one module, read top to bottom.

Every value that differs between a laptop, CI and production comes from the
environment (django-environ). The defaults give the embedded mode: SQLite, a
file-system Celery broker and no Redis, so `./run` works on a bare machine.
Production (`DJANGO_ENV=production`) refuses to start without its secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from ashyq.keys import LOCAL_KEY_NAMES, load_or_create_local_keys
from ashyq.proxy import ipware_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

# Runtime state of the embedded mode (SQLite file, broker queue, generated keys).
VAR_DIR = Path(env.str("ASHYQ_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Secrets -------------------------------------------------------------------------
# In production every key must come from the environment. Elsewhere a key that is not
# given is generated once into var/keys.json (git-ignored, never printed), so that a
# restart can still decrypt what was stored and verify the QR codes already printed.
_KEY_NAMES = LOCAL_KEY_NAMES
if PRODUCTION:
    # PUBLIC_URL too: a default would be an http:// address, which production refuses.
    _missing = [name for name in (*_KEY_NAMES, "PUBLIC_URL") if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(f"Production needs these environment variables: {', '.join(_missing)}")
    _local_keys = {}
else:
    _local_keys = load_or_create_local_keys(VAR_DIR / "keys.json", _KEY_NAMES)

SECRET_KEY = env.str("SECRET_KEY", default=_local_keys.get("SECRET_KEY"))
# AES-256-GCM key for IINs and passport numbers at rest (R-ID-5), url-safe base64.
IIN_ENCRYPTION_KEY = env.str("IIN_ENCRYPTION_KEY", default=_local_keys.get("IIN_ENCRYPTION_KEY"))
# Its id (1–255, stored in every ciphertext's first byte), and the retired keys that
# still decrypt until `reencrypt_identifiers` has run: "1:<key>,2:<key>".
IIN_ENCRYPTION_KEY_ID = env.int("IIN_ENCRYPTION_KEY_ID", default=1)
IIN_OLD_ENCRYPTION_KEYS = env.str("IIN_OLD_ENCRYPTION_KEYS", default="")
# HMAC-SHA256 key of the blind index used to look identifiers up (R-ID-5).
IIN_INDEX_KEY = env.str("IIN_INDEX_KEY", default=_local_keys.get("IIN_INDEX_KEY"))
# Key that signs venue QR tokens (R-VN-4); QR_SIGNING_KEY_ID names it so keys can rotate.
QR_SIGNING_KEY = env.str("QR_SIGNING_KEY", default=_local_keys.get("QR_SIGNING_KEY"))
QR_SIGNING_KEY_ID = env.int("QR_SIGNING_KEY_ID", default=1)
# Retired keys that still verify codes already printed, while they are re-issued:
# "2:<key>,3:<key>" (id:url-safe base64).
QR_OLD_SIGNING_KEYS = env.str("QR_OLD_SIGNING_KEYS", default="")
# The P-256 private key (32 bytes, url-safe base64) that signs vaccination certificates
# with ES256 (R-VP-4). Its key id (the COSE "kid") is derived from its public key, as the
# EU DCC does. Retired keys sign nothing more but keep verifying the certificates they
# signed until those expire: "<key>,<key>".
VACCINATION_SIGNING_KEY = env.str("VACCINATION_SIGNING_KEY", default=_local_keys.get("VACCINATION_SIGNING_KEY"))
VACCINATION_OLD_SIGNING_KEYS = env.str("VACCINATION_OLD_SIGNING_KEYS", default="")

# --- Core ----------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address printed in QR codes and e-mails (required in production).
PUBLIC_URL = env.str("PUBLIC_URL", default="" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
# Where people get help: every page's footer and every message that sends them there.
# The project's technical support was a Telegram bot (the participant's FAQ, question 48).
SUPPORT_URL = env.str("SUPPORT_URL", default="https://t.me/support_ashyq_bot")
SUPPORT_NAME = env.str("SUPPORT_NAME", default="Telegram @support_ashyq_bot")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ashyq.accounts",
    "ashyq.reference",
    "ashyq.core",
    "ashyq.sms",
    "ashyq.mocks",
    "venues",
    "visitors",
    "statuses",
    "monitoring",
    "leaders",
    "vaccinations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that is down answers 503 at once, with the security headers above.
    "ashyq.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ashyq.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's pages are not kept by caches (private, no-store).
    "ashyq.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Admin searches are posted: no URL holds a searched IIN (R-ID-5).
    "ashyq.core.middleware.PostedAdminSearchMiddleware",
    "ashyq.core.middleware.AdminAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Last, so that a locked-out sign-in answers with our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ashyq.urls"
WSGI_APPLICATION = "ashyq.wsgi.application"

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
                "ashyq.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ashyq.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode has a web server and a Celery worker writing one file: WAL lets
    # readers go on during a write, IMMEDIATE takes the write lock at BEGIN (no
    # deadlock on lock upgrade), and the timeout waits for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A persistent connection is not tested before reuse (Django's CONN_HEALTH_CHECKS
    # would cost a `SELECT 1` on every request): our backend reopens a kept connection
    # when its first statement of a request finds it dead, and runs that statement
    # again (ashyq/core/db/postgresql/base.py), so a database restart costs no request.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "ashyq.core.db.postgresql"
    # Fail fast while the database is down (a 503, ashyq.core.middleware): psycopg
    # would otherwise wait 130 s for a host that does not answer. 2 s is its minimum.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2)
    )
    # Prepared statements: the door's look-up spent more time planning than running
    # (BENCHMARKS.md). psycopg 3 prepares a statement once it has run 5 times on a
    # connection, and server-side binding keeps a statement's text the same whatever
    # its values. A pooler in transaction mode must keep them (PgBouncer 1.21 and later
    # with max_prepared_statements, docs/production.md); DATABASE_PREPARED_STATEMENTS=0
    # turns them off for one that cannot.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# The cache only saves work (ashyq.cache): a Redis that hangs must cost a request a
# fraction of a second, not its whole answer.
CACHE_REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(CACHE_REDIS_OPTIONS)

# --- Authentication ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ashyq.accounts.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id (memory-hard) for new and changed passwords; the others only read hashes
# made before, and upgrade them at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if env.bool("FAST_PASSWORD_HASHER", default=False) and not PRODUCTION:
    # The test suite hashes thousands of passwords; PBKDF2's cost is for attackers.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# R-AU-3: staff accounts lock after repeated wrong passwords. The lock is on the pair
# (username, IP), so an attacker elsewhere cannot lock a victim out of his own desk.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# A wrong password while locked neither counts nor restarts the cool-off: otherwise one
# try every 15 minutes keeps an account locked for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The per-username cap (ashyq.accounts.lockout): this many failures of one username
# from any addresses within a day lock it for every address it has not signed in from
# successfully in KNOWN_ADDRESS_DAYS; its own desks keep working. It reads axes'
# failure log, kept two days (ashyq.accounts.tasks).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HANDLER = "ashyq.accounts.lockout.LockoutHandler"
USERNAME_FAILURE_LIMIT = env.int("USERNAME_FAILURE_LIMIT", default=20)
KNOWN_ADDRESS_DAYS = env.int("KNOWN_ADDRESS_DAYS", default=90)
# The client's address behind AXES_PROXY_COUNT proxies (the sign-in lockouts, the SMS
# code limits), read by django-ipware from X-Forwarded-For: see ashyq.proxy.
vars().update(ipware_settings(env.int("AXES_PROXY_COUNT", default=0)))

# Sessions end at a fixed moment after sign-in, whatever the activity
# (ashyq.accounts.signals): guards and staff after a shift, so a phone left at the
# door or a desk left signed in does not stay open for the next person; citizens and
# owners after SESSION_DAYS, on their own phones.
SESSION_SHIFT_HOURS = env.int("SESSION_SHIFT_HOURS", default=12)
SESSION_DAYS = env.int("SESSION_DAYS", default=14)
SESSION_COOKIE_AGE = SESSION_DAYS * 24 * 60 * 60
# Read from the cache, kept in the database; a copy lives in the cache at most
# SESSION_CACHE_SECONDS (ashyq.accounts.sessions; the saving is in BENCHMARKS.md).
SESSION_ENGINE = "ashyq.accounts.sessions"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)

# --- Languages and time --------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it; collectstatic fills it
# Outside production WhiteNoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Mail ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ashyq <noreply@ashyq.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS (R-AU-1) ---------------------------------------------------------------------
# The gateway that sends one-time codes. The console mock logs them and keeps them in
# an outbox page (SMS_MOCK_OUTBOX) so that a person trying the demo can read his code;
# SMS_FAIL makes it fail, to try the fallbacks.
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default="ashyq.sms.backends.HttpGatewayBackend" if PRODUCTION else "ashyq.sms.backends.ConsoleBackend",
)
SMS_MOCK_OUTBOX = env.bool("SMS_MOCK_OUTBOX", default=not PRODUCTION)
SMS_FAIL = env.bool("SMS_FAIL", default=False)
# With SMS_BACKEND=ashyq.sms.backends.HttpGatewayBackend (production):
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
# R-AU-1: one-time codes a client address may ask for in an hour, all numbers together,
# and that a number gets in an hour from devices that never signed in with it.
SMS_CODES_PER_ADDRESS = env.int("SMS_CODES_PER_ADDRESS", default=10)
SMS_CODES_PER_NUMBER = env.int("SMS_CODES_PER_NUMBER", default=10)

# --- External registries (R-RG-1) -----------------------------------------------------
# Every registry is reached over HTTP at REGISTRY_URL + "<name>/" (pcr, contacts,
# vaccinations, subscribers, companies, notifications). By default that is this
# project's own mocks, served under /mock/ by the run command's server; a deployment
# points REGISTRY_URL at the agencies' gateway and turns the mocks off.
REGISTRY_URL = env.str("REGISTRY_URL", default="http://127.0.0.1:8000/mock/")
REGISTRY_TOKEN = env.str("REGISTRY_TOKEN", default="")
REGISTRY_TIMEOUT = env.float("REGISTRY_TIMEOUT", default=10.0)
REGISTRY_MOCKS_ENABLED = env.bool("REGISTRY_MOCKS_ENABLED", default=not PRODUCTION)
# R-RG-2: every registry is pulled this often; R-ST-9: older data is shown as stale.
REGISTRY_SYNC_MINUTES = env.int("REGISTRY_SYNC_MINUTES", default=5)
REGISTRY_MAX_AGE_MINUTES = env.int("REGISTRY_MAX_AGE_MINUTES", default=30)

# --- Vaccination passport (docs/rules.md §13) ---------------------------------------------
# A certificate is valid this long from its issue (its CWT "exp"); a revocation is kept
# as long, since no certificate that names a revoked dose can outlive it.
VACCINATION_CERTIFICATE_DAYS = env.int("VACCINATION_CERTIFICATE_DAYS", default=365)
# The DCC's "is": who issues the certificate.
VACCINATION_ISSUER = env.str("VACCINATION_ISSUER", default="Ministry of Healthcare of the Republic of Kazakhstan")
# R-VP-3: a self-entry no medical worker decided on within this many days lapses.
VACCINATION_PENDING_DAYS = env.int("VACCINATION_PENDING_DAYS", default=90)

# --- Check-ins -------------------------------------------------------------------------
# Abuse limits on guard look-ups, per venue and per company whatever the guard phone
# (visitors.rules): a door sees a few people a minute, not hundreds, and in a day no
# more than its capacity can hold many times over.
VENUE_LOOKUPS_PER_MINUTE = env.int("VENUE_LOOKUPS_PER_MINUTE", default=30)
VENUE_LOOKUPS_PER_SEAT = env.int("VENUE_LOOKUPS_PER_SEAT", default=10)
VENUE_LOOKUPS_DAY_MIN = env.int("VENUE_LOOKUPS_DAY_MIN", default=100)
COMPANY_LOOKUPS_PER_MINUTE = env.int("COMPANY_LOOKUPS_PER_MINUTE", default=60)
COMPANY_LOOKUPS_PER_DAY = env.int("COMPANY_LOOKUPS_PER_DAY", default=10000)

# --- Celery --------------------------------------------------------------------------
# Embedded default: kombu's file-system transport, which needs no server. Production
# and CI set CELERY_BROKER_URL=redis://…
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# A broker that hangs must not hang the web request that enqueues (see ashyq.queue):
# the socket timeouts bound a publish to Redis; the folders serve the file-system
# transport. Each transport ignores the other's options.
_queue_dir = VAR_DIR / "celery" / "queue"
_queue_dir.mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "data_folder_in": str(_queue_dir),
    "data_folder_out": str(_queue_dir),
    "control_folder": str(VAR_DIR / "celery" / "control"),
    "store_processed": False,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = TIME_ZONE
# Task modules autodiscovery (`<app>.tasks`) does not find.
CELERY_IMPORTS = ["monitoring.ops_tasks", "ashyq.queue"]
# Keep Django's LOGGING (with its identifier mask) in the worker too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Operators see on the system page that the worker and beat are alive.
    "heartbeat": {"task": "ashyq.core.tasks.heartbeat", "schedule": 60.0},
    # R-AU-3: the failed sign-ins the per-username cap no longer reads.
    "purge-sign-in-failures": {
        "task": "ashyq.accounts.tasks.purge_sign_in_failures",
        "schedule": crontab(hour=3, minute=7),
    },
    # R-AU-1: one-time codes and the mock gateway's messages older than a day.
    "purge-sms-codes": {"task": "ashyq.sms.tasks.purge_codes", "schedule": crontab(hour=3, minute=12)},
    "purge-heartbeats": {"task": "ashyq.core.tasks.purge_heartbeats", "schedule": crontab(hour=3, minute=17)},
    # The transactional outbox (ashyq.queue): what a dead or hung broker kept from a
    # worker is sent again once it is back.
    "outbox-relay": {"task": "ashyq.queue.outbox_relay", "schedule": 60.0, "options": {"expires": 55}},
    "outbox-purge": {"task": "ashyq.queue.outbox_purge", "schedule": crontab(hour=3, minute=27)},
    # R-RG-2: pull each health registry every REGISTRY_SYNC_MINUTES; an entry that could
    # not run in its interval expires instead of piling up after an outage.
    **{
        f"sync-{name}": {
            "task": "statuses.tasks.sync_registry",
            "schedule": REGISTRY_SYNC_MINUTES * 60.0,
            "args": (name,),
            "options": {"expires": REGISTRY_SYNC_MINUTES * 60.0},
        }
        for name in ("pcr", "contacts", "vaccinations")
    },
    # R-CI-4: visits with no exit close 4 hours after entry.
    "visits-auto-close": {"task": "visitors.tasks.auto_close_visits", "schedule": 600.0, "options": {"expires": 600.0}},
    # R-PR-2: the check-ins and look-ups older than 28 days go, whole days at a time.
    "retention": {"task": "visitors.tasks.retention", "schedule": crontab(minute=35)},
    # R-PR-2 (ours): registry copies that no longer act, colour history older than a year.
    "records-retention": {"task": "statuses.tasks.records_retention", "schedule": crontab(hour=2, minute=50)},
    # R-PR-2 with R-LD-1: the hours of venues no period can name, once its check-ins are gone.
    "prune-venue-hours": {"task": "leaders.tasks.prune_venue_hours", "schedule": crontab(hour=2, minute=55)},
    # R-MN-2: venues silent for more than 3 full local days are flagged.
    "flag-inactive-venues": {
        "task": "monitoring.ops_tasks.flag_inactive_venues",
        "schedule": crontab(hour=1, minute=10),
    },
    # R-MN-7: every region's risk list, stored for the inspectors' page.
    "risk-lists-refresh": {
        "task": "monitoring.ops_tasks.risk_lists_refresh",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    # The end of monitoring's photo drafts (a day) and inspections (a year).
    "monitoring-purge": {"task": "monitoring.ops_tasks.purge", "schedule": crontab(hour=3, minute=50)},
    # R-LD-2: the candidate lists of a 14-day period, once it has closed.
    "leaders-compute-closed-periods": {
        "task": "leaders.tasks.compute_closed_periods",
        "schedule": crontab(hour=0, minute=20),
    },
    # R-VP-3, retention: lapse undecided self-entries, drop what outlived its use.
    "vaccinations-purge": {"task": "vaccinations.tasks.purge", "schedule": crontab(hour=3, minute=40)},
    # R-CI-9, R-LD-1: the check-ins counted since the last run (visitors.services.counts).
    "rollup-stats": {"task": "visitors.tasks.rollup_stats", "schedule": 300.0, "options": {"expires": 300.0}},
}

# --- Logging -------------------------------------------------------------------------
# Every handler masks 12-digit identifiers (R-ID-5), whatever a message carries.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_identifiers": {"()": "ashyq.logging.MaskIdentifiersFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_identifiers"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's request logger prints the path and the exception: masked as well.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Content-Security-Policy ----------------------------------------------------------
# Scripts, styles, images and fonts only from this site's own files: no inline script or
# style (the pages have none: a script is a file under static/, its texts in data
# attributes), no eval, nothing from elsewhere, no framing, forms posted here only. A
# script someone slips into a page (a venue's name, a reason) cannot run. On in every
# environment, so that a page that breaks it fails its tests first.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],  # the vaccination certificate's QR code is drawn inline (an image runs nothing)
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "media-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
    },
}

# --- Security (production) -----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    # A debug page would show the POST data of a guard's request: the IIN he typed.
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")
    # R-VN-4: the QR codes carry an HTTPS URL.
    if not PUBLIC_URL.startswith("https://"):
        raise ImproperlyConfigured("PUBLIC_URL must be an https:// address in production")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Health and readiness checks come over plain HTTP from inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
