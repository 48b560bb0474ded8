"""Small queries the web layer needs that the store's parts do not offer (yet).

`claim_mail` leases one outbox row to one sender, so several workers delivering at once
never send the same mail twice. Uses only the store's public tables; must not hold text.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .codec import to_utc
from .schema import mail_outbox


def claim_mail(store: Any, mail_id: int, now: datetime, lease: timedelta) -> bool:
    """Push the row's next attempt `lease` into the future if it is still due and unsent;
    True when this caller got it (a sender that dies leaves it to be retried after)."""
    at = to_utc(now)
    statement = (mail_outbox.update()
                 .where(mail_outbox.c.id == mail_id, mail_outbox.c.sent_at.is_(None),
                        mail_outbox.c.next_attempt_at <= at)
                 .values(next_attempt_at=at + lease))
    return store.db.run(lambda conn: conn.execute(statement).rowcount == 1)
