"""Register a partner portal (or update its address, key or status) from the command line, as the admin does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from alliance.models import Partner


class Command(BaseCommand):
    help = "Register or update a partner portal: NAME BASE_URL PUBLIC_KEY [--suspend | --activate]."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("base_url")
        parser.add_argument("public_key")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--suspend", action="store_true")
        group.add_argument("--activate", action="store_true")

    def handle(self, *args, name: str, base_url: str, public_key: str, suspend: bool, activate: bool, **options):
        partner = Partner.objects.filter(name=name).first() or Partner(name=name)
        partner.base_url, partner.public_key = base_url, public_key
        if suspend or activate:
            partner.status = Partner.Status.SUSPENDED if suspend else Partner.Status.ACTIVE
            partner.next_pull_at = None
        try:
            partner.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        partner.save()
        self.stdout.write(f"{partner.name}: {partner.status}, key id {partner.key_id}")
