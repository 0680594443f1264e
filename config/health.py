"""Health endpoints for the load balancer: cheap, unauthenticated, and they say nothing about the machine.

/healthz (liveness): the process answers; no database, no cache. /readyz (readiness): the database answers a trivial
query and, when REDIS_URL is set, Redis answers too. Failures are logged here with their cause; the response only
says which check failed.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.exception("readiness: database check failed")
        return False
    return True


def _cache_ok() -> bool:
    try:
        cache.get("readyz")
    except Exception:
        log.exception("readiness: cache (Redis) check failed")
        return False
    return True


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["cache"] = _cache_ok()
    ready = all(checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": {k: "ok" if v else "fail" for k, v in checks.items()}}
    return HttpResponse(json.dumps(body), content_type="application/json", status=200 if ready else 503)
