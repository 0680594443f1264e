"""Backup and restore of the whole portal: the database (pg_dump's custom format, or SQLite's online backup) and
the uploaded files, in one tar archive with a manifest of every table's row count.

``manage.py backup`` writes the archive; ``manage.py restore ARCHIVE`` loads it into an *empty* database (and
media folder) and then counts every table again: a restore that does not give the manifest's counts fails loudly.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection


class BackupError(Exception):
    pass


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(name):
            env[key] = str(db[name])
    return env


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


def table_counts() -> dict[str, int]:
    """Rows of every table of the database (not only Django's models: migrations and sessions too)."""
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def _media_root() -> Path | None:
    backend = settings.STORAGES["default"]["BACKEND"]
    return Path(settings.MEDIA_ROOT) if backend.endswith("FileSystemStorage") else None


def backup(output: Path) -> dict:
    """Write the archive to ``output``; returns its manifest."""
    manifest = {
        "created": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "tables": table_counts(),
        "media": _media_root() is not None,
    }
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / ("db.dump" if connection.vendor == "postgresql" else "db.sqlite3")
        if connection.vendor == "postgresql":
            name = settings.DATABASES["default"]["NAME"]
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", name])
        elif connection.vendor == "sqlite":
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            raise BackupError(f"no backup for {connection.vendor}")
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            media = _media_root()
            if media is not None and media.exists():
                archive.add(media, arcname="media")
    return manifest


def restore(archive_path: Path) -> dict:
    """Load the archive into the configured database, which must have no tables, and check the row counts."""
    with connection.cursor() as cursor:
        if connection.introspection.table_names(cursor):
            raise BackupError("the target database is not empty: restore into a new, empty database")
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(scratch, filter="data")
        manifest = json.loads((Path(scratch) / "manifest.json").read_text())
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"the archive holds a {manifest['vendor']} database, the target is {connection.vendor}")
        if connection.vendor == "postgresql":
            name = settings.DATABASES["default"]["NAME"]
            dump = Path(scratch) / "db.dump"
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={name}", str(dump)])
        else:
            connection.close()
            source = sqlite3.connect(Path(scratch) / "db.sqlite3")
            target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            with target:
                source.backup(target)
            source.close()
            target.close()
        media = Path(scratch) / "media"
        root = _media_root()
        if media.exists() and root is not None:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media, root, dirs_exist_ok=True)
    connection.close()
    counts = table_counts()
    if counts != manifest["tables"]:
        wrong = {k: (manifest["tables"].get(k), counts.get(k)) for k in set(counts) | set(manifest["tables"])}
        wrong = {k: v for k, v in wrong.items() if v[0] != v[1]}
        raise BackupError(f"restored row counts differ from the backup's (expected, found): {wrong}")
    return manifest
