"""The project's Celery application; settings come from Django's under the CELERY_ prefix.

The request id of the web request that queued a task travels with it (a message header) and is set while the task
runs, so a worker's log lines carry the id of the request that caused them (`[id]` at the end of each line).
"""

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_init,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
@worker_init.connect
def _make_broker_folders(**kwargs) -> None:
    """The embedded filesystem broker (no REDIS_URL) needs its folders: made when the first message is sent or the
    worker starts, not when the settings are read."""
    if not str(app.conf.broker_url or "").startswith("filesystem://"):
        return
    from pathlib import Path

    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


REQUEST_ID_HEADER = "request_id"
_tokens: dict[str, object] = {}


@before_task_publish.connect
def _send_request_id(headers=None, **kwargs) -> None:
    from .middleware import request_id_var

    current = request_id_var.get()
    if headers is not None and current != "-":
        headers.setdefault(REQUEST_ID_HEADER, current)


@task_prerun.connect
def _enter_request_id(task_id=None, task=None, **kwargs) -> None:
    from .middleware import request_id_var

    incoming = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    if incoming:
        _tokens[task_id] = request_id_var.set(str(incoming)[:64])


@task_postrun.connect
def _leave_request_id(task_id=None, **kwargs) -> None:
    from .middleware import request_id_var

    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


@after_setup_logger.connect
@after_setup_task_logger.connect
def _request_id_on_worker_logs(logger=None, **kwargs) -> None:
    """Celery configures its own handlers: give them the filter that puts the request id on each record."""
    from .middleware import RequestIdFilter

    for handler in getattr(logger, "handlers", []):
        handler.addFilter(RequestIdFilter())
