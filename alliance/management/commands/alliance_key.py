"""Print our portal's alliance public key (made on first use), to give to a partner city's administrator."""

from django.core.management.base import BaseCommand

from alliance import keys


class Command(BaseCommand):
    help = "Print this portal's Ed25519 public key for the alliance (ed25519:<base64>) and its key id."

    def handle(self, *args, **options) -> None:
        self.stdout.write(keys.public_key_text())
        self.stdout.write(f"key id: {keys.key_id()}")
