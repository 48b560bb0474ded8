"""shenbao's persistence layer (SQLAlchemy Core over SQLite or PostgreSQL).

Public names only; see store/README.md. Nothing here holds user-facing text: errors
carry codes for the locale catalogue.
"""
from __future__ import annotations

from . import documents, flow_versions, jobs, uploads
from .applications import name_key
from .datasets import APPLICATIONS, DatasetLike
from .errors import (Duplicate, ImportFailed, ImportProblem, InUse, NotFound, StaleWrite,
                     StoreBusy, StoreError)
from .importer import import_file, load_demo
from .records import (Application, AuditEntry, ImportReport, Listed, Mail, Message, Numbering, Session, Staff,
                      SyncReport, identity_key)
from .staff_queries import check_row, post_message_audited, status_counts, typed_value
from .values import is_code
from .store import Store
from .web_queries import claim_mail

__all__ = [
    "APPLICATIONS", "Application", "AuditEntry", "DatasetLike", "Duplicate", "ImportFailed",
    "ImportProblem", "ImportReport", "InUse", "Listed", "Mail", "Message", "NotFound", "Session",
    "Staff", "StaleWrite", "Store", "StoreBusy", "StoreError", "SyncReport", "import_file",
    "load_demo", "documents", "flow_versions", "uploads", "check_row", "post_message_audited", "status_counts",
    "typed_value", "is_code", "claim_mail", "jobs", "Numbering", "identity_key",
    "name_key",
]
