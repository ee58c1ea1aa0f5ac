"""Operator commands: `python -m bartr.cli migrate | seed-demo | create-admin | purge-deleted`."""

from __future__ import annotations

import argparse
import getpass
import sys

from bartr import migrations


def _migrate(_: argparse.Namespace) -> int:
    migrations.upgrade()
    import bartr.models  # noqa: F401
    from bartr.db import unit_of_work
    from bartr.services import categories

    with unit_of_work() as db:
        added = categories.seed_categories(db)
    print(f"database is up to date ({added} categories added)")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from bartr import demo_data

    created = demo_data.seed()
    print(f"demo data: {created}")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    import bartr.models  # noqa: F401
    from bartr.db import unit_of_work
    from bartr.services import accounts
    from bartr.services.errors import DomainError

    password = args.password or getpass.getpass("Password for the admin: ")
    try:
        with unit_of_work() as db:
            user = accounts.do_create_admin(
                db, email=args.email, password=password, display_name=args.name
            )
            from bartr.models.base import utcnow

            if not user.is_onboarded:
                user.onboarded_at = utcnow()
                db.add(user)
            if user.email_verified_at is None:  # the operator typed it: no link needed
                user.email_verified_at = utcnow()
                db.add(user)
            email = user.email
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"admin ready: {email}")
    return 0


def _purge_deleted(args: argparse.Namespace) -> int:
    import bartr.models  # noqa: F401
    from bartr.background import purge_deleted_files

    purged = purge_deleted_files(days=args.days)["course_files_purged"]
    print(f"purged the files of {purged} deleted course item(s) older than {args.days} days")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bartr.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    seed = sub.add_parser("seed-demo", help="fill a demo community (idempotent)")
    seed.set_defaults(func=_seed)
    admin = sub.add_parser("create-admin", help="create an admin or promote an account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Admin")
    admin.add_argument("--password", help="omit to be asked (safer than the shell history)")
    admin.set_defaults(func=_create_admin)
    purge = sub.add_parser(
        "purge-deleted", help="remove files of course items deleted more than N days ago"
    )
    purge.add_argument("--days", type=int, default=None, help="default: BARTR_COURSE_PURGE_DAYS")
    purge.set_defaults(func=_purge_deleted)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
