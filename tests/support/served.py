"""A generated app served by uvicorn, and a tiny HTTP client of it (standard library only)."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextlib.contextmanager
def uvicorn(
    project: Path,
    env: dict[str, str],
    log: Path,
    app: str = "app.main:app",
    live: str = "/health/live",
) -> Iterator[str]:
    """The project's ``app`` served by uvicorn on a free port, until the block ends: its
    base URL, once ``live`` answers (its output goes to ``log``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--port", str(port)],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(100):
            try:
                if get(f"{base}{live}")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"uvicorn did not start:\n{log.read_text()}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


class Api:
    """A tiny HTTP client of the served app (the standard library: no app code imported)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        token: str | None = None,
        form: dict | None = None,
    ) -> tuple[int, dict[str, str], object]:
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                status, got = response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        return status, {k.lower(): v for k, v in got.items()}, json.loads(raw) if raw else None

    def sign_up(self, email: str, password: str) -> str:
        status, _, body = self.call(
            "POST", "/api/v1/auth/register", {"email": email, "password": password}
        )
        assert status == 201, body
        return self.token(email, password)

    def token(self, email: str, password: str) -> str:
        status, _, body = self.call(
            "POST", "/api/v1/auth/token", form={"username": email, "password": password}
        )
        assert status == 200, body
        assert isinstance(body, dict)
        return str(body["access_token"])


def alice_bob_admin_and_a_note(served: Api) -> tuple[str, str, str, dict]:
    """Two users signed up and the admin signed in (their tokens), and a note Alice
    wrote at /api/v1/notes."""
    alice = served.sign_up("alice@example.com", "alice-password-1")
    bob = served.sign_up("Bob@Example.com", "bob-password-12")
    admin = served.token("boss@example.com", "a-long-admin-password")
    status, _, note = served.call("POST", "/api/v1/notes", {"body": "alice's"}, alice)
    assert status == 201, note
    assert isinstance(note, dict)
    return alice, bob, admin, note


def assert_scoped_to_its_owner(
    served: Api, items: str, row: dict, owner: str, other: str, admin: str
) -> None:
    """(list, get, patch, delete) × (owner, other, admin, anonymous) on ``row``, which
    ``owner`` created at ``items``: the other user never finds it, an admin always does."""
    url = f"{items}/{row['id']}"

    def listed(token: str | None) -> object:
        status, _, page = served.call("GET", items, token=token)
        if status != 200:
            return status
        assert isinstance(page, dict)
        return [item["id"] for item in page["items"]]

    assert listed(owner) == [row["id"]]
    assert listed(other) == []
    assert listed(admin) == [row["id"]]
    assert listed(None) == 401
    assert served.call("GET", url, token=owner)[0] == 200
    assert served.call("GET", url, token=other)[0] == 404
    assert served.call("GET", url, token=admin)[0] == 200
    assert served.call("GET", url)[0] == 401
    assert served.call("PATCH", url, {"body": "not yours"}, other)[0] == 404
    assert served.call("PATCH", url, {"body": "edited"}, None)[0] == 401
    status, _, patched = served.call("PATCH", url, {"body": "edited"}, owner)
    assert status == 200 and isinstance(patched, dict) and patched["body"] == "edited"
    assert served.call("PATCH", url, {"body": "by admin"}, admin)[0] == 200
    assert served.call("DELETE", url, token=other)[0] == 404
    assert served.call("DELETE", url)[0] == 401
    assert served.call("GET", url, token=owner)[0] == 200, "the other's delete did nothing"
    assert served.call("DELETE", url, token=owner)[0] == 204
    assert served.call("GET", url, token=admin)[0] == 404


ADMIN_PASSWORD = "a-long-admin-password"
# Every password the served tests send: none may reach the server's log.
SECRETS = (ADMIN_PASSWORD, "alice-password-1", "bob-password-12")


@contextmanager
def served_with_an_admin(
    root: Path,
    env: dict[str, str],
    log: Path,
    *,
    users: str = "app.users",
    app: str = "app.main:app",
    live: str = "/health/live",
) -> Iterator[Api]:
    """``root``'s app under uvicorn, its first admin (boss@example.com) made with
    `python -m USERS create-admin` and the password on stdin; once the block ends, no
    password of the tests' is in the server's log."""
    made = subprocess.run(
        [sys.executable, "-m", users, "create-admin", "boss@example.com"],
        cwd=root,
        env=env,
        input=f"{ADMIN_PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert ADMIN_PASSWORD not in made.stdout + made.stderr
    with uvicorn(root, env, log, app=app, live=live) as base:
        yield Api(base)
    text = log.read_text()
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into the log"
