from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Collaboration alliance")

    def ready(self) -> None:
        # The outreach calendar draws our guest lectures through core's registry (outreach cannot import us).
        from core.calendar import calendar_provider_register

        from .selectors import guest_lecture_entries

        calendar_provider_register(guest_lecture_entries)
