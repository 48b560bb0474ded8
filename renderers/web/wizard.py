"""Routes: wizard (being written)."""
from __future__ import annotations

import bottle

from .context import Web


def install(app: bottle.Bottle, web: Web) -> None:
    pass
