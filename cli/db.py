"""`docgen db upgrade | reconcile | purge` and `docgen backup | restore`: the document database's
schema, the import of the records the service kept in Redis before the database, putting lost
work back on the queue, retention, and backups."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis

from config.settings import Settings, get_settings

__all__ = ["add_db_commands"]


@contextmanager
def _redis(settings: Settings) -> Iterator[Redis | None]:
    """Redis at DOCGEN_REDIS_URL, or the embedded one of the data folder started for the command
    (None when neither exists: a new installation has nothing to import)."""
    if settings.redis_url:
        yield Redis.from_url(settings.redis_url)
        return
    data = settings.data_dir / "redis"
    if not data.is_dir():
        yield None
        return
    from storage.redis_server import RedisServer

    server = RedisServer(data).start()
    try:
        yield Redis.from_url(server.url)
    finally:
        server.stop()


def _upgrade(_args: argparse.Namespace) -> int:
    """Migrate the schema, then import the document records Redis still holds (idempotent)."""
    from storage.database import database_for
    from storage.database.migrate import current_revision, head_revision
    from storage.legacy_import import import_redis_batches, import_redis_records

    settings = get_settings()
    database = database_for(settings.database_url)  # migrates on first use
    print(f"database {database.engine.url.render_as_string(hide_password=True)}: schema at "
          f"{current_revision(database)} (head {head_revision()})")
    with _redis(settings) as connection:
        if connection is None:
            print("no Redis and no embedded Redis data: nothing to import")
            return 0
        imported = import_redis_records(connection, database, settings.documents_dir)
        batches = import_redis_batches(connection, database)
    print(f"imported {imported.imported} document records from Redis ({imported.already} already in the "
          f"database, {imported.missing_files} with files missing on disk)")
    print(f"imported {batches.imported} batches from Redis ({batches.already} already in the database; "
          f"{batches.running} running, continued by the workers; {batches.missing_chunks} with items missing)")
    return 0


def _reconcile(_args: argparse.Namespace) -> int:
    """Queue again what the database holds as accepted and not ended, when Redis lacks its job."""
    from workers.reconcile import reconcile

    settings = get_settings()
    if not settings.redis_url:
        print("error: DOCGEN_REDIS_URL is not set (the queue to reconcile)")
        return 2
    done = reconcile(Redis.from_url(settings.redis_url), settings)
    print(f"queued again: {len(done.documents)} documents, {len(done.batches)} batches")
    return 0


def _purge(args: argparse.Namespace) -> int:
    """Delete records past DOCGEN_RETENTION_YEARS with their files, and files past
    DOCGEN_FILE_RETENTION_DAYS (their records keep the hashes)."""
    from storage.database import database_for
    from storage.retention import purge

    settings = get_settings()
    done = purge(database_for(settings.database_url), settings.documents_dir, settings.retention_years,
                 settings.file_retention_days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb}: {done.records} records past {settings.retention_years} years, {done.files} files")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from storage.backup import backup
    from storage.database import database_for

    settings = get_settings()
    manifest = backup(database_for(settings.database_url), settings.data_dir, Path(args.file))
    files = sum(1 for name in manifest["members"] if name.startswith("files/"))
    print(f"backup {args.file}: {manifest['rows']['documents']} documents, {files} files, schema {manifest['schema']}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, restore
    from storage.database import database_for

    settings = get_settings()
    try:
        done = restore(database_for(settings.database_url), settings.data_dir, Path(args.file))
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"restored {done.rows['documents']} documents, {done.files} files into {settings.data_dir}")
    return 0


def add_db_commands(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="the document database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="migrate the schema and import records kept in Redis by earlier versions"
                  ).set_defaults(func=_upgrade)
    db.add_parser("reconcile", help="queue again accepted work whose job Redis lost").set_defaults(func=_reconcile)
    purge = db.add_parser("purge", help="delete records and files retention no longer keeps")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    purge.set_defaults(func=_purge)
    backup = sub.add_parser("backup", help="the database and the documents, templates and batch archives in one tar")
    backup.add_argument("file", help="the .tar to write")
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help="a backup into an empty data folder and database")
    restore.add_argument("file", help="the .tar `docgen backup` wrote")
    restore.set_defaults(func=_restore)
