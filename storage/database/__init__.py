"""The system of record: issued documents and batches in a relational database (SQLAlchemy 2,
Alembic migrations). SQLite under the data folder by default, PostgreSQL in production."""

from storage.database.engine import Database, close_database, database_for
from storage.database.models import Base, Batch, BatchChunk, Document, DocumentFile

__all__ = ["Base", "Batch", "BatchChunk", "Database", "Document", "DocumentFile", "close_database", "database_for"]
