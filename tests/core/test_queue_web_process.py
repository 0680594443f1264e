"""Queueing a task by its name (core/queue.py) from a web process, where no tasks module has been imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB_PROCESS = """
import sys
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
assert "evaluations.tasks" not in sys.modules, "the check needs a process that never imported the tasks module"
from core.queue import task_by_name
print(task_by_name("evaluations.tasks.review_cycle_run_task").name)
"""


def test_a_web_process_finds_a_task_by_name_without_having_imported_its_module():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "evaluations.tasks.review_cycle_run_task"), done.stderr[-2000:]
