"""Settings of the web application, from environment variables and an optional config file.

Precedence: explicit keyword arguments (tests) > environment (`SHENBAO_*`) > config file
(`SHENBAO_CONFIG`, TOML with a `[shenbao]` table or INI with a `[shenbao]` section) >
defaults. Reads the environment and files only; opens no database and no socket.
"""
from __future__ import annotations

import configparser
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from shenbao.paths import DEFAULT_FLOW, ROOT


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    secret: str = ""
    flow_file: str = str(DEFAULT_FLOW)
    base_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "starttls"          # starttls | ssl | none
    mail_from: str = "noreply@shenbao.local"
    mail_timeout: float = 5.0
    mail_interval: float = 60.0         # seconds between background delivery rounds
    outbox_dir: str = ""
    workers: int = 0                    # 0: 2 x CPUs + 1, at most 12 (commands/serve.py)
    running_requests: int = 2           # per server process: requests running the app at once, 0: no limit (commands/admission.py)
    timezone: str = "Asia/Shanghai"     # wall clock of the flow's dates and times
    session_idle_minutes: int = 30
    session_absolute_hours: int = 8
    draft_idle_minutes: int = 30
    draft_keep_hours: int = 12          # an expired draft is kept this long, to re-offer what was typed
    reset_minutes: int = 30
    reset_hold_days: int = 7            # no reset by mail this long after staff corrected the address
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 4 * 1024 * 1024  # besides max_body_bytes, for a form that sends a file (a photo)
    login_failures_per_account: int = 5
    login_failures_per_address: int = 30
    reset_requests_per_account: int = 3
    reset_requests_per_address: int = 20
    throttle_window_minutes: int = 15
    forwarded_for: bool = False         # behind a reverse proxy: client address from X-Forwarded-For
    # Tests only: every captcha's answer is this text. Never read from the environment
    # or a config file, so a deployment cannot switch it on by accident.
    captcha_fixed: str | None = field(default=None, repr=False)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")


_ENV = {f.name: f"SHENBAO_{f.name.upper()}" for f in fields(Settings) if f.name != "captcha_fixed"}
_ENV["database_url"] = "SHENBAO_DATABASE_URL"


def _coerce(name: str, value: Any) -> Any:
    kind = next(f.type for f in fields(Settings) if f.name == name)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")
    return str(value)


def _from_file(path: Path) -> dict[str, Any]:
    if path.suffix == ".toml":
        with path.open("rb") as handle:
            table = tomllib.load(handle).get("shenbao", {})
        return dict(table)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    return dict(parser["shenbao"]) if parser.has_section("shenbao") else {}


def default_database_url(base: Path | None = None) -> str:
    """sqlite:///var/shenbao.db beside the repository when run from it, else under the cwd."""
    root = base or (ROOT if (ROOT / "flows").is_dir() else Path.cwd())
    return f"sqlite:///{root / 'var' / 'shenbao.db'}"


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    config = overrides.pop("config", None) or env.get("SHENBAO_CONFIG")
    if config:
        for key, value in _from_file(Path(config)).items():
            if key in _ENV:
                values[key] = _coerce(key, value)
    for name, var in _ENV.items():
        if env.get(var):
            values[name] = _coerce(name, env[var])
    values.update(overrides)
    settings = replace(Settings(), **values)
    root = ROOT if (ROOT / "flows").is_dir() else Path.cwd()
    if not settings.database_url:
        settings = replace(settings, database_url=default_database_url())
    if not settings.outbox_dir:
        settings = replace(settings, outbox_dir=str(root / "var" / "outbox"))
    if not settings.secret:
        settings = replace(settings, secret=_local_secret(root / "var" / "secret"))
    return settings


def _local_secret(path: Path) -> str:
    """With no SHENBAO_SECRET, a random secret kept in var/secret (mode 600), so that every
    worker and every restart agree on it without anyone having to invent one."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value
