from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # Services queue their tasks by name (core.queue.enqueue); the name is known to the web process only once
        # the tasks module is imported. Celery's autodiscovery does that in a worker, never in gunicorn.
        from evaluations import tasks  # noqa: F401
