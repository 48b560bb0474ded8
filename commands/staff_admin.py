"""`shenbao staff` (staff accounts) and `shenbao status` (set a status as staff would).

    shenbao staff add --username NAME --role ROLE --bound CODE   (a role that `binds` to a dataset)
    shenbao staff add --username NAME --role ROLE                (a role bound to nothing)
    shenbao staff list | disable NAME | enable NAME | password NAME
    shenbao status APPLICATION_NO --to STATUS --as-role ROLE [--missing CODE ...] [--reason TEXT]

Passwords come from --password-file, else $SHENBAO_STAFF_PASSWORD, else a prompt (typed
twice); they must pass the flow's password rules, like the applicants'. `status` moves an
application through the same code path as the staff pages (shenbao/moves.py:
the engine checks the move and its review fields, the store saves it with the audit
entry); it is meant for testers and acts as the role given, without an account.
`add_demo_staff` makes the demo accounts for `shenbao init --demo`.
"""
from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys

import yaml
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, TextIO
from zoneinfo import ZoneInfo

from engine import Flow
from shenbao import people
from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.moves import move
from shenbao.paths import DEFAULT_FLOW
from shenbao.wording import Wording
from store import Store

from .options import database_url

PASSWORD_ENV = "SHENBAO_STAFF_PASSWORD"
TIMEZONE = "Asia/Shanghai"
# The demo-only accounts of a flow (passwords are printed once, when made): a list of
# {username, role, bound} in this file beside the flow's demo data (the folder of its first
# dataset file); without one, an account `demo-<role>` per role, bound to its dataset's first row.
DEMO_STAFF_FILE = "staff.yaml"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="database URL (default: $SHENBAO_DATABASE_URL or var/shenbao.db)")
    parser.add_argument("--flow", default=str(DEFAULT_FLOW), help="flow file (default: %(default)s)")


def _open(args: argparse.Namespace) -> tuple[Flow, Store]:
    flow = read_flow(Path(args.flow))
    store = Store.open(database_url(args))
    store.migrate()
    store.sync_datasets(flow.datasets, flow.lookup_index_columns())
    return flow, store


def _local_now() -> datetime:
    return datetime.now(timezone.utc).astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None)


# -- staff --------------------------------------------------------------------------------

def add_staff_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create a staff account")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, help="one of the flow's `roles:`")
    add.add_argument("--bound", help="the key of the row the role binds to (the flow's `roles: binds`)")
    add.add_argument("--password-file", help=f"read the password from this file (else ${PASSWORD_ENV}, else a prompt)")
    _common(add)
    listing = sub.add_parser("list", help="list staff accounts")
    _common(listing)
    for name, text in (("disable", "disable an account (its sessions end)"), ("enable", "enable an account"),
                       ("password", "set a new password (its sessions end)")):
        one = sub.add_parser(name, help=text)
        one.add_argument("username")
        if name == "password":
            one.add_argument("--password-file")
        _common(one)


def read_password(args: argparse.Namespace) -> str | None:
    if getattr(args, "password_file", None):
        return Path(args.password_file).read_text(encoding="utf-8").rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        print(f"no password: use --password-file or ${PASSWORD_ENV}", file=sys.stderr)
        return None
    first, again = getpass.getpass("password: "), getpass.getpass("password again: ")
    if first != again:
        print("the two passwords differ", file=sys.stderr)
        return None
    return first


def password_refused(flow: Flow, password: str) -> list[str]:
    wording = Wording(flow, load_catalog())
    return [wording.problem(p) for p in people.password_problems(flow, password, password, _local_now().date())]


def run_staff(args: argparse.Namespace) -> int:
    flow, store = _open(args)
    with store:
        if args.action == "list":
            for s in store.list_staff():
                where = s.bound or "-"
                print(f"{s.username:<24} {s.role:<16} {where:<24} {'active' if s.active else 'disabled'}")
            return 0
        if args.action == "add":
            problem = people.username_problem(store, args.username)
            bound = flow.bindings.get(args.role)
            typed = {bound.answer: args.bound} if bound is not None else {}
            fields, bad = people.binding(flow, store, args.role, typed)
            for code in (problem, bad):
                if code:
                    print(f"refused: {code}", file=sys.stderr)
                    return 1
            return _add(flow, store, args, fields)
        found = store.find_staff(args.username)
        if found is None:
            print(f"no staff account {args.username!r}", file=sys.stderr)
            return 1
        if args.action == "password":
            password = read_password(args)
            if password is None or _print_refusals(password_refused(flow, password)):
                return 1
            store.update_staff(found.id, password=password)
        else:
            store.update_staff(found.id, active=args.action == "enable")
        store.delete_sessions_for("staff", found.id)
        store.audit(f"cli:{getpass.getuser()}", f"staff_{args.action}", data={"username": found.username})
        print(f"{found.username}: {args.action} done")
        return 0


def _print_refusals(lines: list[str]) -> bool:
    for line in lines:
        print(f"refused: {line}", file=sys.stderr)
    return bool(lines)


def _add(flow: Flow, store: Store, args: argparse.Namespace, fields: Mapping[str, str | None]) -> int:
    password = read_password(args)
    if password is None or _print_refusals(password_refused(flow, password)):
        return 1
    made = store.create_staff(args.username, password, args.role, **fields)
    store.audit(f"cli:{getpass.getuser()}", "staff_add", data={"username": made.username, "role": made.role,
                                                                **fields})
    print(f"{made.username}: {made.role} created")
    return 0


def demo_staff(flow: Flow, flow_file: Path, store: Store) -> list[dict[str, Any]]:
    """The flow's demo accounts: {username, role, bound} (see DEMO_STAFF_FILE)."""
    files = [d.file for d in flow.datasets.values() if getattr(d, "file", None)]
    listed = flow_file.resolve().parent / Path(files[0]).parent / DEMO_STAFF_FILE if files else None
    if listed is not None and listed.is_file():
        return list(yaml.safe_load(listed.read_text(encoding="utf-8")) or [])
    found = []
    for role, binds in flow.bindings.items():
        rows = store.rows(binds.dataset, {}) if binds is not None else []
        if binds is None or rows:
            found.append({"username": "demo-" + role.replace("_", "-"), "role": role,
                          "bound": str(rows[0][binds.key]) if binds is not None else None})
    return found


def add_demo_staff(flow: Flow, flow_file: Path, store: Store, out: TextIO = sys.stdout) -> list[tuple[str, str]]:
    """Make the demo staff accounts that do not exist yet, with random passwords printed once
    (demo only: never run on a real deployment). Returns (username, password) of those made."""
    made = []
    for account in demo_staff(flow, flow_file, store):
        username, role, bound = account["username"], account["role"], account.get("bound")
        if store.find_staff(username) is not None:
            continue
        binds = flow.bindings.get(role)
        fields, bad = people.binding(flow, store, role, {binds.answer: bound} if binds is not None else {})
        if bad:
            out.write(f"demo staff {username} refused: {bad}\n")
            continue
        password = secrets.token_urlsafe(9) + "#7a"
        store.create_staff(username, password, role, **fields)
        made.append((username, password))
        out.write(f"demo staff {username} ({role}{' ' + bound if bound else ''}): password {password}\n")
    return made


# -- status -------------------------------------------------------------------------------

def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("application_no", help="the application number (报名号), e.g. TR2027000001")
    parser.add_argument("--to", required=True, help="the status to move to")
    parser.add_argument("--as-role", required=True, dest="role", help="the staff role to act as")
    parser.add_argument("--missing", nargs="*", default=[], metavar="CODE", help="missing materials (codes)")
    parser.add_argument("--reason", help="the reason, for moves that require one")
    _common(parser)


def run_status(args: argparse.Namespace) -> int:
    flow, store = _open(args)
    with store:
        app = store.find_application(application_no=args.application_no.strip().upper())
        if app is None:
            print(f"no application {args.application_no}", file=sys.stderr)
            return 1
        inputs: dict[str, Any] = {}
        if args.missing:
            inputs["missing_materials"] = list(args.missing)
        if args.reason is not None:
            inputs["reason"] = args.reason
        result = move(flow, store, app, args.to, args.role, inputs, actor=f"cli:{getpass.getuser()}",
                      row_version=app.row_version, local_now=_local_now(), now=datetime.now(timezone.utc))
        if not result.done:
            return _refused(flow, result)
        print(f"{app.application_no}: {app.status} -> {result.application.status}")
        return 0


def _refused(flow: Flow, result: Any) -> int:
    texts = Wording(flow, load_catalog())
    if result.stale:
        print("refused: the application changed meanwhile; try again", file=sys.stderr)
    for problem in result.problems:
        print(f"refused: {problem.field or '-'}:{problem.code} {texts.problem(problem)}", file=sys.stderr)
    return 1
