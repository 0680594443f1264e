"""Sending work to Celery without letting a broker outage break the page that asked for it.

When Redis is down, a task cannot be queued. The page still does its own work (a photo is saved, a review cycle is
marked to run) and the task is left to the periodic job that repairs exactly that state once the broker is back:
missing thumbnails hourly, due or interrupted review cycles every 15 minutes. Errors raised by a task itself (in
eager mode) are not caught here.
"""

from __future__ import annotations

import importlib
import logging

from celery import current_app
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

try:  # the Redis transport's own errors, when it is installed
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OperationalError

RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def task_by_name(name: str):
    """The registered task called ``name`` ("app.tasks.x_task"), importing its module if needed.

    Services enqueue their tasks by name so that a service never imports the tasks module that imports it.
    """
    if name not in current_app.tasks:
        importlib.import_module(name.rsplit(".", 1)[0])
    return current_app.tasks[name]


def enqueue(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)`` (a task or its name); False (logged) when the broker cannot be reached."""
    if isinstance(task, str):
        task = task_by_name(task)
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except (OperationalError, RedisError, ConnectionError, TimeoutError):
        log.warning("broker unreachable: %s%r not queued; its periodic repair will do it", task.name, args)
        return False
    return True
