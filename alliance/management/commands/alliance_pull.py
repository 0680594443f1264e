"""Pull every active partner's course feed and shared instructors now, in this process (the beat job does it
every 5 minutes)."""

from django.core.management.base import BaseCommand

from alliance import services
from alliance.models import Partner


class Command(BaseCommand):
    help = "Pull the course feed of every active partner portal now (ignores the back-off)."

    def handle(self, *args, **options) -> None:
        for partner in Partner.objects.active():
            ok = services.partner_pull(partner=partner) and services.partner_instructors_pull(partner=partner)
            partner.refresh_from_db()
            self.stdout.write(f"{partner.name}: {'ok' if ok else partner.last_error}")
