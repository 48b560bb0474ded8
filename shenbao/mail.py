"""Delivering the store's mail outbox: over SMTP, or into a folder when none is configured.

Mail is first written to the `mail_outbox` table by whoever has something to say (the
password-recovery page); `Mailer.deliver_due` then sends what is due. A row is claimed
before it is sent (a batch at a time, `FOR UPDATE SKIP LOCKED` on PostgreSQL: store/jobs.py),
so several workers delivering at once never send it twice. A failure
keeps the row and schedules a retry with exponential backoff (capped, never given up):
mail is never lost. With no SMTP host configured (development), each message is written
as an .eml file into the outbox folder and its path is logged.

Must not render text (subjects and bodies arrive written) nor know about HTTP.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Callable

from store import Mail, jobs

log = logging.getLogger("shenbao.mail")

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=2)


@dataclass(frozen=True)
class MailConfig:
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "starttls"   # starttls | ssl | none
    mail_from: str = "noreply@shenbao.local"
    timeout: float = 5.0
    outbox_dir: str = "var/outbox"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, at most an hour."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "shenbao.local")
    message.set_content(mail.body)
    return message


class Mailer:
    def __init__(self, store: Any, config: MailConfig, clock: Callable[[], datetime]):
        self.store, self.config, self.clock = store, config, clock
        self._lock = threading.Lock()

    def deliver_due(self, limit: int = 20) -> int:
        """Send what is due now; returns how many were delivered. Never raises for a
        mail server that is down: the failure is recorded on the row."""
        if not self._lock.acquire(blocking=False):
            return 0  # another thread of this process is already delivering
        try:
            sent = 0
            for mail in jobs.claim_mail_batch(self.store, self.clock(), CLAIM_FOR, limit):
                sent += self._deliver(mail)
            return sent
        finally:
            self._lock.release()

    def _deliver(self, mail: Mail) -> int:
        message = build_message(mail, self.config.mail_from)
        try:
            if self.config.smtp_host:
                self._send_smtp(message)
            else:
                path = self._write_file(mail, message)
                log.warning("no SMTP configured: mail %s to %s written to %s", mail.id, mail.to_addr, path)
        except (OSError, smtplib.SMTPException) as error:
            retry_at = self.clock() + retry_delay(mail.attempts + 1)
            log.warning("mail %s to %s not sent (%s); retry at %s", mail.id, mail.to_addr, error, retry_at)
            self.store.mark_failed(mail.id, f"{type(error).__name__}: {error}"[:500], retry_at)
            return 0
        self.store.mark_sent(mail.id, self.clock())
        return 1

    def _send_smtp(self, message: EmailMessage) -> None:
        cfg = self.config
        if cfg.smtp_tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port or 465, timeout=cfg.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port or 25, timeout=cfg.timeout)
        with client:
            if cfg.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if cfg.smtp_user:
                client.login(cfg.smtp_user, cfg.smtp_password)
            client.send_message(message)

    def _write_file(self, mail: Mail, message: EmailMessage) -> Path:
        folder = Path(self.config.outbox_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{mail.created_at:%Y%m%d-%H%M%S}-{mail.id}.eml"
        path.write_bytes(bytes(message))
        return path


class Courier:
    """Runs `deliver_due` every `interval` seconds on a daemon thread (one per worker;
    claims keep workers from sending the same mail twice), plus any chores given."""

    def __init__(self, mailer: Mailer, interval: float, chores: tuple[Callable[[], Any], ...] = ()):
        self.mailer, self.interval, self.chores = mailer, interval, chores
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="shenbao-courier", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for job in (self.mailer.deliver_due, *self.chores):
                try:
                    job()
                except Exception:  # a bad round must not end the thread
                    log.exception("background job failed")
