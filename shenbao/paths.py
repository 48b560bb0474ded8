"""Where the project's own files live (flows, schemas, locales, data)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
SCHEMAS = ROOT / "schemas"
LOCALES = ROOT / "locales"
DATA = ROOT / "data"
DEFAULT_FLOW = FLOWS / "teacher_registration.yaml"
