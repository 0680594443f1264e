from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a `manage.py backup` archive into an empty database and check every table's row count."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        if not archive.exists():
            raise CommandError(f"no such archive: {archive}")
        try:
            manifest = restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"restored {archive}: {len(manifest['tables'])} tables, {rows:,} rows, every count matches the backup"
        )
