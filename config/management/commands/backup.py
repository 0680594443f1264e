import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (restore with `manage.py restore`)."

    def add_arguments(self, parser):
        default = Path(settings.VAR_DIR) / "backups" / f"djsz-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        parser.add_argument("--output", type=Path, default=default, help=f"archive to write (default: {default})")

    def handle(self, *args, output: Path, **options):
        try:
            manifest = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"backup written: {output} ({len(manifest['tables'])} tables, {rows:,} rows)")
