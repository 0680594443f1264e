import pytest
from kombu.exceptions import OperationalError

from core.queue import enqueue, task_by_name

pytestmark = pytest.mark.django_db


def test_task_by_name_finds_a_registered_task():
    assert task_by_name("core.tasks.import_jobs_resume_task").name == "core.tasks.import_jobs_resume_task"


def test_enqueue_by_name_runs_the_task():
    assert enqueue("core.tasks.import_jobs_resume_task") is True


def test_enqueue_reports_an_unreachable_broker(monkeypatch):
    task = task_by_name("core.tasks.import_jobs_resume_task")

    def refuse(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(task, "apply_async", refuse)
    assert enqueue(task) is False
