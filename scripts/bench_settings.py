"""Settings for the benchmark's gunicorn: the project's own, with the benchmark URLs (bare anchor views) added."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

# The benchmark talks plain HTTP on loopback: cookies must not be marked Secure or the clients drop them.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
