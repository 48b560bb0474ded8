"""shenbao's persistence layer (SQLAlchemy Core over SQLite or PostgreSQL).

Public names only; see store/README.md. Nothing here holds user-facing text: errors
carry codes for the locale catalogue.
"""
from __future__ import annotations

from .datasets import APPLICATIONS, DatasetLike
from .errors import (Duplicate, ImportFailed, ImportProblem, InUse, NotFound, StaleWrite,
                     StoreBusy, StoreError)
from .importer import import_file, load_demo
from .records import (Application, AuditEntry, ImportReport, Mail, Message, Session, Staff,
                      SyncReport)
from .store import Store

__all__ = [
    "APPLICATIONS", "Application", "AuditEntry", "DatasetLike", "Duplicate", "ImportFailed",
    "ImportProblem", "ImportReport", "InUse", "Mail", "Message", "NotFound", "Session",
    "Staff", "StaleWrite", "Store", "StoreBusy", "StoreError", "SyncReport", "import_file",
    "load_demo",
]
