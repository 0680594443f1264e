from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # Services queue tasks by name (config.queue.enqueue("evaluations.tasks.x")): register them in every
        # process, not only in a worker that autodiscovered them.
        from evaluations import tasks  # noqa: F401
