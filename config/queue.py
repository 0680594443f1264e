"""Sending work to Celery without letting a broker outage break the page that asked for it.

When Redis is down, a task cannot be queued. The page still does its own work (a photo is saved, a review cycle is
marked to run) and the task is left to the periodic job that repairs exactly that state once the broker is back:
missing thumbnails hourly, due or interrupted review cycles every 15 minutes. Errors raised by a task itself (in
eager mode) are not caught here.
"""

from __future__ import annotations

import importlib
import logging

from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

try:  # the Redis transport's own errors, when it is installed
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OperationalError

RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)``; False (logged) when the broker cannot be reached.

    ``task`` may be the task's registered name, so that a service can queue its task without importing the tasks
    module that imports it (tasks are leaves).
    """
    if isinstance(task, str):
        from config.celery import app  # the project's app, even when a test or a tool made another one current

        if task not in app.tasks:  # its tasks module is not imported yet in this process
            importlib.import_module(task.rsplit(".", 1)[0])
        task = app.tasks[task]
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except (OperationalError, RedisError, ConnectionError, TimeoutError):
        log.warning("broker unreachable: %s%r not queued; its periodic repair will do it", task.name, args)
        return False
    return True
