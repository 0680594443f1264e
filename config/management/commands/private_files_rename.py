"""Move files stored under old, guessable names (courseware/<course>/v<n>.pdf, photos/2024/…) to random names."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core.files import private_fields, rename_to_unguessable


class Command(BaseCommand):
    help = (
        "Give every private file (photos, thumbnails, covers, courseware, lecture photos) an unguessable name and "
        "delete the old file. Safe to run again and while the portal serves: it moves only what is left."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would move, change nothing")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        for target in private_fields():
            report = rename_to_unguessable(target, dry_run=dry_run)
            self.stdout.write(
                f"{target}: {report.moved} {'to move' if dry_run else 'moved'}, {report.already} already private, "
                f"{report.missing} missing on storage"
            )
