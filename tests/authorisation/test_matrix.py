"""The authorisation matrix: every event handler of every state and every /api route, called
as each kind of person with hostile arguments; the database says whether anything changed
that must not.

Handlers are found by walking the compiled app's state tree (not a list kept by hand), so a
new handler without an entry in policy.py fails `test_every_handler_has_an_entry`.

The world: an admin, the OWNER (teaches a skill; a scheduled SESSION with the OTHER party,
a REPORT about them, a WARNING), an UNRELATED member and a SUSPENDED one (their login was
opened before the suspension). Each call starts from the same database (the SQLite file is
restored when a call changed it) and is judged:
- UI handlers never change the database, whoever calls them;
- ADMIN handlers change nothing unless an admin calls them;
- logged-out and suspended callers change nothing (logging in, signing up and logging
  out their own login aside);
- members change nothing that belongs to someone else: other members' accounts, skills,
  availability, wallets, blocks and reports; sessions they are not part of; admin tables
  (audit log, categories, warnings). The two people of a session may change it and the
  credits it moves; an action may add a notification (or email) for the person it concerns.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from bartr.db import make_engine, set_engine
from bartr.models.accounts import Role
from bartr.services import accounts, categories, messages, moderation_actions, reports
from tests.authorisation import policy
from tests.factories import make_user, sign_in
from tests.services.session_factories import fund, make_pair, make_skill, scheduled

ROLES = ("logged_out", "member", "other", "unrelated", "suspended", "admin")
ADMIN_TABLES = {"audit_log", "categories"}
# Rows a member's own action may add for someone else; changing or deleting theirs is not.
# (email_tokens: a password-reset link anyone may ask to be mailed to an address's owner.)
NOTICE_TABLES = {"notifications", "outbox_emails", "email_tokens"}
# Columns naming the member a row belongs to.
OWNER_COLUMNS = ("user_id", "owner_id", "blocker_id", "reporter_id", "sender_id", "author_id")
HUGE = "x" * 20_000


def _walk(cls: type[rx.State]) -> Iterator[type[rx.State]]:
    yield cls
    for sub in sorted(cls.get_substates(), key=lambda c: c.__name__):
        yield from _walk(sub)


def app_handlers() -> dict[str, tuple[type[rx.State], Any]]:
    """qualified name -> (a state class that has it, the handler), for the app's states."""
    import bartr.bartr  # noqa: F401  (compiles the app: every page and its states)

    found: dict[str, tuple[type[rx.State], Any]] = {}
    for cls in _walk(rx.State):
        if not cls.__module__.startswith("bartr."):
            continue
        for name, handler in cls.event_handlers.items():
            qualname = getattr(handler.fn, "__qualname__", name)
            found.setdefault(qualname, (cls, handler))
    return found


def api_routes() -> list[Any]:
    from bartr.api.routes import build_api

    return [r for r in build_api().routes if getattr(r, "path", "").startswith("/api/")]


def test_every_handler_has_an_entry() -> None:
    names = set(app_handlers())
    missing = sorted(names - set(policy.HANDLERS))
    assert not missing, f"handlers without an entry in tests/authorisation/policy.py: {missing}"
    stale = sorted(set(policy.HANDLERS) - names)
    assert not stale, f"entries for handlers that no longer exist: {stale}"


def test_every_api_route_has_an_entry() -> None:
    paths = {r.path for r in api_routes()}
    assert paths - set(policy.ROUTES) == set(), "routes without an entry in policy.ROUTES"
    assert set(policy.ROUTES) - paths == set(), "entries for routes that no longer exist"


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    path: Path
    template: bytes
    engine: Engine
    ids: dict[str, Any]
    tokens: dict[str, str]
    members: dict[str, int]  # role -> user id
    session_parties: set[int]


def _build(engine: Engine) -> tuple[dict[str, Any], dict[str, str], dict[str, int]]:
    with Session(engine, expire_on_commit=False) as db:
        categories.seed_categories(db)
        admin = make_user(db, role=Role.ADMIN, name="Ada Admin")
        pair = make_pair(db)  # OWNER teaches OTHER
        owner, other = pair.teacher, pair.learner
        booked = scheduled(db, pair)
        unrelated = make_user(db, name="Una Related")
        fund(db, unrelated, 600)
        make_skill(db, unrelated)
        suspended = make_user(db, name="Sus Pended")
        tokens = {
            "member": accounts.open_session_for(db, owner).token,
            "other": accounts.open_session_for(db, other).token,
            "unrelated": accounts.open_session_for(db, unrelated).token,
            "suspended": accounts.open_session_for(db, suspended).token,
            "admin": accounts.open_session_for(db, admin).token,
            "logged_out": "",
        }
        db.commit()
        report = reports.do_report(
            db, actor=other, kind="member", target_id=owner.id or 0, reason="spam", details="x"
        )
        warning = moderation_actions.do_warn(
            db, actor=admin, member_id=owner.id or 0, note="Please be kind."
        )
        moderation_actions.do_suspend(
            db, actor=admin, member_id=suspended.id or 0, days=30, note="Spam"
        )
        db.commit()
        # The suspension ended its logins; keep one alive to call handlers with.
        db.exec(text("UPDATE auth_sessions SET revoked_at = NULL"))  # type: ignore[call-overload]
        db.commit()
        category = categories.list_categories(db)[0]
        conversation = messages.do_open_conversation(db, actor=owner, other_id=other.id or 0)
        messages.do_send_message(
            db, actor=other, conversation_id=conversation.id or 0, body="Hello owner"
        )
        db.commit()
        ids = {
            "OWNER": owner.id,
            "OTHER": other.id,
            "ADMIN": admin.id,
            "UNRELATED": unrelated.id,
            "OWNER_HANDLE": owner.handle,
            "OWNER_SKILL": pair.skill_id,
            "SESSION": booked.id,
            "REPORT": report.id,
            "WARNING": warning.id,
            "CATEGORY": category.id,
            "CONVERSATION": conversation.id,
        }
        members = {
            "member": owner.id or 0,
            "other": other.id or 0,
            "unrelated": unrelated.id or 0,
            "suspended": suspended.id or 0,
            "admin": admin.id or 0,
        }
        return ids, tokens, members


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("matrix") / "matrix.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    set_engine(engine)
    ids, tokens, members = _build(engine)
    engine.dispose()
    with contextlib.closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    template = path.read_bytes()
    yield World(
        path=path,
        template=template,
        engine=engine,
        ids=ids,
        tokens=tokens,
        members=members,
        session_parties={members["member"], members["other"]},
    )
    set_engine(None)
    engine.dispose()


def _restore(world: World) -> None:
    world.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(world.path) + suffix).unlink(missing_ok=True)
    world.path.write_bytes(world.template)


Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def snapshot(engine: Engine) -> Snapshot:
    out: Snapshot = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            keys = [c.name for c in table.primary_key.columns]
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).mappings().all()
            out[table.name] = {tuple(r[k] for k in keys): dict(r) for r in rows}
    return out


# --------------------------------------------------------------------------- judging


def _owner(table: str, row: dict[str, Any], before: Snapshot) -> int | None:
    if table == "users":
        return row["id"]
    if table == "ledger_accounts":
        return row.get("owner_id") if row.get("kind") == "wallet" else None
    for column in OWNER_COLUMNS:
        if column in row and row[column] is not None:
            return int(row[column])
    return None


def _session_members(table: str, row: dict[str, Any], before: Snapshot) -> set[int] | None:
    if table == "skill_sessions":
        return {row["teacher_id"], row["learner_id"]}
    if table == "conversations":  # either member moves its marks and last message
        return {row["member_a_id"], row["member_b_id"]}
    if table in ("session_events", "session_proposals") and "session_id" in row:
        s = before["skill_sessions"].get((row["session_id"],))
        return {s["teacher_id"], s["learner_id"]} if s else set()
    return None


def _forbidden(
    world: World, role: str, who: str, table: str, row: dict[str, Any], before: Snapshot
) -> bool:
    """Must this row (changed, removed or added) stay as it was for this caller?"""
    caller = world.members.get(role)
    if who == policy.UI or (who == policy.ADMIN and role != "admin"):
        return True
    if role == "admin":
        return False
    if role in ("logged_out", "suspended"):
        if table == "login_throttles":
            return False
        if table == "auth_sessions" and caller is not None and row["user_id"] == caller:
            return False  # logging out one's own login
        return not (role == "logged_out" and who == policy.PUBLIC and _is_new(table, row, before))
    if table == "member_warnings":  # written by admins; the member marks theirs as read
        return _is_new(table, row, before) or row["user_id"] != caller
    if table in ADMIN_TABLES:
        return True
    if table in NOTICE_TABLES and _is_new(table, row, before):
        return False  # a member's action tells the other person (a notification, an email)
    if table == "notifications" and _only_bumped(row, before):
        return False  # another message folded into the recipient's unread entry
    parties = _session_members(table, row, before)
    if parties is not None:
        return caller not in parties
    owner = _owner(table, row, before)
    if owner is None or owner == caller:
        return False
    # A session's two people move credits between their wallets: the other person's
    # wallet may change for them.
    return not (table == "ledger_accounts" and {caller, owner} <= world.session_parties)


def _only_bumped(row: dict[str, Any], before: Snapshot) -> bool:
    """An unread message entry whose count and time moved, and nothing else."""
    old = before["notifications"].get((row["id"],))
    if old is None or old["read_at"] is not None or row["kind"] != "message":
        return False
    moved = {k for k in row if row[k] != old[k]}
    return moved <= {"amount", "updated_at"} and row["amount"] > old["amount"]


def _is_new(table: str, row: dict[str, Any], before: Snapshot) -> bool:
    keys = [c.name for c in SQLModel.metadata.tables[table].primary_key.columns]
    return tuple(row[k] for k in keys) not in before[table]


def violations(world: World, role: str, who: str, before: Snapshot, after: Snapshot) -> list[str]:
    found = []
    for table, rows in after.items():
        old = before[table]
        for key, row in rows.items():
            if old.get(key) != row and _forbidden(world, role, who, table, row, before):
                found.append(f"{table}{list(key)} {'changed' if key in old else 'added'}")
        for key, row in old.items():
            if key not in rows and _forbidden(world, role, who, table, row, before):
                found.append(f"{table}{list(key)} deleted")
    return found


# --------------------------------------------------------------------------- calling


def _resolve(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value in ids:
        return ids[value]
    if isinstance(value, str) and value == policy.HOSTILE_FORM:
        return hostile_form(ids)
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    return value


def hostile_form(ids: dict[str, Any]) -> dict[str, Any]:
    """Every field a form might read, pointing at someone else's things."""
    return {
        "email": "owner@example.com",
        "password": "not the password at all",
        "display_name": HUGE,
        "query": ids["OWNER_HANDLE"],
        "amount": "1000",
        "reason": "hostile",
        "note": "hostile note",
        "details": HUGE,
        "days": "365",
        "confirm": "on",
        "handle": ids["OWNER_HANDLE"],
        "person": ids["OWNER_HANDLE"],
        "q": HUGE,
        "bio": HUGE,
        "title": HUGE,
        "skill_id": ids["OWNER_SKILL"],
        "session_id": ids["SESSION"],
        "user_id": ids["OWNER"],
    }


def argument_sets(handler: Any, entry: policy.Entry, ids: dict[str, Any]) -> list[tuple[Any, ...]]:
    params = [
        p
        for p in list(inspect.signature(handler.fn).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required = [p for p in params if p.default is p.empty]
    n = len(params)
    sets: list[tuple[Any, ...]] = [tuple(_resolve(a, ids) for a in args) for args in entry.args]
    if n == 0:
        return [*sets, ()]
    values: list[Any] = [
        ids["OWNER"],
        ids["SESSION"],
        ids["OWNER_SKILL"],
        ids["REPORT"],
        ids["ADMIN"],
        ids["OWNER_HANDLE"],
        HUGE,
        None,
        {"$": ids["OWNER"]},
        [ids["OWNER"]],
        -1,
        True,
        hostile_form(ids),
    ]
    sets += [tuple([v] * n) for v in values]
    if len(required) < n:
        sets += [tuple([v] * len(required)) for v in values[:3]]
    return sets


def _consume(result: Any) -> None:
    if inspect.iscoroutine(result):
        asyncio.run(result)
    elif inspect.isasyncgen(result):

        async def drain() -> None:
            async for _ in result:
                pass

        asyncio.run(drain())
    elif inspect.isgenerator(result):
        for _ in result:
            pass


def make_state(cls: type[rx.State], token: str, url: str) -> Any:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    return sign_in(state, token, url=f"http://localhost{url}")


def call(cls: type[rx.State], handler: Any, args: tuple[Any, ...], token: str, ids: dict) -> str:
    url = policy.URLS.get(cls.__name__, "/")
    for name, value in ids.items():
        url = url.replace(name, str(value))
    state = make_state(cls, token, url)
    for name, prelude_args in policy.PRELUDE.get(cls.__name__, ()):
        with contextlib.suppress(Exception):
            _consume(getattr(cls, name).fn(state, *(_resolve(a, ids) for a in prelude_args)))
    try:
        _consume(handler.fn(state, *args))
    except Exception as exc:  # a refusal by crash is still a refusal; the data decides
        return type(exc).__name__
    return ""


HANDLER_NAMES = sorted(policy.HANDLERS)


@pytest.mark.parametrize("qualname", HANDLER_NAMES)
def test_handler_changes_only_what_its_caller_may(world: World, qualname: str) -> None:
    handlers = app_handlers()
    if qualname not in handlers:
        pytest.skip("entry without a handler (test_every_handler_has_an_entry says so)")
    cls, handler = handlers[qualname]
    entry = policy.HANDLERS[qualname]
    _restore(world)
    clean = snapshot(world.engine)
    problems = []
    for role in ROLES:
        for args in argument_sets(handler, entry, world.ids):
            call(cls, handler, args, world.tokens[role], world.ids)
            after = snapshot(world.engine)
            if after == clean:
                continue
            for problem in violations(world, role, entry.who, clean, after):
                shown = ", ".join(repr(a)[:40] for a in args)
                problems.append(f"{role}({shown}): {problem}")
            _restore(world)
    assert not problems, f"{qualname} ({entry.who}) changed what it must not:\n" + "\n".join(
        problems[:30]
    )


# --------------------------------------------------------------------------- /api routes


@pytest.mark.parametrize("path", sorted(policy.ROUTES))
def test_route_changes_nothing_for_strangers(world: World, path: str) -> None:
    from starlette.testclient import TestClient

    from bartr.api.routes import build_api
    from bartr.state.auth import SESSION_COOKIE

    _restore(world)
    clean = snapshot(world.engine)
    route = next(r for r in api_routes() if r.path == path)
    concrete = [
        path.replace("{name}", x)
        .replace("{session_id:int}", str(world.ids["SESSION"]))
        .replace("{token}", x)
        for x in ("..%2F..%2Fmatrix.db", "x" * 300, "abc")
    ]
    client = TestClient(build_api(), raise_server_exceptions=False)
    problems = []
    for role in ROLES:
        cookies = {SESSION_COOKIE: world.tokens[role]} if world.tokens[role] else {}
        for url in concrete:
            for method in route.methods or ("GET",):
                if method == "HEAD":
                    continue
                resp = client.request(
                    method,
                    url,
                    cookies=cookies,
                    content=b"{" * 1000,
                    headers={"stripe-signature": "t=1,v1=forged"},
                )
                if resp.status_code >= 500 and resp.status_code != 503:  # 503: feature off
                    problems.append(f"{role} {method} {url[:60]}: {resp.status_code}")
                if (
                    role in ("unrelated", "logged_out", "suspended")
                    and "/calendar/session/" in url
                    and resp.status_code == 200
                ):
                    problems.append(f"{role} read someone else's session calendar")
        after = snapshot(world.engine)
        if after != clean:
            # Routes change nothing, except the session cookie's: each may end the caller's
            # own login or count a failed one, as the log-in and log-out handlers may.
            who = policy.ROUTES[path] if path.startswith("/api/auth/") else policy.UI
            problems += [f"{role}: {p}" for p in violations(world, role, who, clean, after)]
            _restore(world)
    assert not problems, "\n".join(problems)


def test_admin_handler_called_by_a_member_changes_nothing(world: World) -> None:
    """The headline case, spelled out: a member's socket calls the admin tools directly."""
    handlers = app_handlers()
    _restore(world)
    clean = snapshot(world.engine)
    cls, confirm = handlers["AdminCreditsState.confirm"]
    state = make_state(cls, world.tokens["unrelated"], "/admin")
    state._member_id, state._pending, state.reason = world.ids["OWNER"], 60_000, "gift"
    _consume(confirm.fn(state))
    cls, apply = handlers["AdminReportsState.apply"]
    state = make_state(cls, world.tokens["member"], "/admin")
    state._report_id, state._subject_id = world.ids["REPORT"], world.ids["OTHER"]
    state.action, state.note, state.days = "ban", "revenge", "30"
    _consume(apply.fn(state))
    assert snapshot(world.engine) == clean
    assert "admin" in state.action_error.lower()
