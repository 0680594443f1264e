"""Move files stored under old, guessable names (courseware/<course>/v<n>.pdf, photos/2024/…) to random names, and
optionally delete stored files that no row refers to any more (thumbnails of replaced photos, say)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from core.files import delete_orphans, private_fields, rename_to_unguessable

# Folders of private files, old names included (lectures/ held lecture photos before they had random names).
FOLDERS = ["photos", "thumbnails", "covers", "courseware", "lecture-photos", "lectures"]
# A file younger than this may belong to an upload whose row is not committed yet: never an orphan.
ORPHAN_MIN_AGE = timedelta(hours=1)


class Command(BaseCommand):
    help = (
        "Give every private file (photos, thumbnails, covers, courseware, lecture photos) an unguessable name and "
        "delete the old file. Safe to run again and while the portal serves: it moves only what is left."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="also delete stored files no row refers to (left-over thumbnails, files of deleted rows) that are "
            "older than an hour",
        )

    def handle(self, *args, **options) -> None:
        dry_run = options["dry_run"]
        for target in private_fields():
            report = rename_to_unguessable(target, dry_run=dry_run)
            self.stdout.write(
                f"{target}: {report.moved} {'to move' if dry_run else 'moved'}, {report.already} already private, "
                f"{report.missing} missing on storage"
            )
        if options["delete_orphans"]:
            gone = delete_orphans(folders=FOLDERS, min_age=ORPHAN_MIN_AGE, dry_run=dry_run)
            self.stdout.write(f"{len(gone)} unreferenced files {'to delete' if dry_run else 'deleted'}")
