"""Manage users from the command line: `python -m app.users create-admin EMAIL`.

The password is read from standard input (prompted for without echo at a terminal,
else its first line: `printf '%s\\n' "$PASSWORD" | python -m app.users create-admin
ada@example.com`), never from the arguments, which other processes and the shell's
history can see. It must pass the rules of `POST /auth/register`. An existing user is
made an active admin and keeps its password. Exit status: 0 done, 1 the database
refused, 2 bad input.
"""

import argparse
import asyncio
import getpass
import logging
import sys

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from app.core.errors import DomainError
from app.schemas.users import UserRegister
from app.services.users import UserService


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.users", description="Manage users.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser(
        "create-admin",
        help="create an admin, or make an existing user one",
        description="Create an admin with the password read from standard input, or make "
        "the existing user with this email an active admin (its password is kept).",
    )
    create.add_argument("email", help="the admin's email address")
    return parser


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().removesuffix("\n").removesuffix("\r")


def _invalid(error: ValidationError) -> str:
    # Pydantic's message and the field's name only: never the value given.
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    )


async def create_admin(email: str, password: str) -> str:
    """Create or promote the admin; the line to print."""
    sessions = project_session()
    session = await anext(sessions)
    try:
        service = UserService(session)
        existing = await service.by_email(email)
        user = await service.create_admin(email, password)
        line = f"promoted {user.email} to admin" if existing else f"created admin {user.email}"
    finally:
        await sessions.aclose()
    return line


async def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv` (default: the process's arguments); the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    password = await asyncio.to_thread(_read_password)
    if not password:
        print("error: no password on standard input", file=sys.stderr)
        return 2
    try:
        data = UserRegister(email=args.email, password=password)
    except ValidationError as exc:
        print(f"error: {_invalid(exc)}", file=sys.stderr)
        return 2
    try:
        print(await create_admin(data.email, data.password))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        # The engine hides statement parameters, so the message holds no password hash.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"error: the database refused: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
