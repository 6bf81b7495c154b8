"""A real Synapse homeserver for the tests: its own venv, a hand-written config, loopback only.

`make synapse` (and so `make test` and `.ci/run`) installs matrix-synapse in `.venv-synapse/`,
apart from the project's venv; `SYNAPSE_PYTHON` names another interpreter that has it.
`Synapse.start(directory)` writes the config (SQLite, 127.0.0.1, a free port, rate limits
lifted, registration by shared secret only), generates the signing key, starts the server and
waits for it; `stop()` terminates it (then kills it). Accounts are created through the
shared-secret admin API (`register`), the way an operator creates the bot's account.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.config import ROOT
from tests.support.botapi import free_port

SERVER_NAME = "test.local"
START_TIMEOUT = 60.0  # seconds; measured 1.1–1.4 s once installed
UNLIMITED = {"per_second": 10000, "burst_count": 10000}


def synapse_python() -> Path:
    """The interpreter that has matrix-synapse (`make synapse` creates it)."""
    return Path(os.environ.get("SYNAPSE_PYTHON") or ROOT / ".venv-synapse" / "bin" / "python")


@dataclass(frozen=True, slots=True)
class Account:
    """A registered Matrix account and a logged-in device of it."""

    user_id: str
    password: str
    access_token: str
    device_id: str


def config(directory: Path, port: int, shared_secret: str) -> dict[str, Any]:
    """homeserver.yaml's content (JSON is YAML): SQLite, loopback, no federation, no limits."""
    return {
        "server_name": SERVER_NAME,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
                       "tls": False, "x_forwarded": False,
                       "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "federation_domain_whitelist": [],
        "suppress_key_server_warning": True,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "rc_message": UNLIMITED,
        "rc_registration": UNLIMITED,
        "rc_login": {"address": UNLIMITED, "account": UNLIMITED,
                     "failed_attempts": UNLIMITED},
        "rc_joins": {"local": UNLIMITED, "remote": UNLIMITED},
        "rc_joins_per_room": UNLIMITED,
        "rc_invites": {"per_room": UNLIMITED, "per_user": UNLIMITED,
                       "per_issuer": UNLIMITED},
        "rc_room_creation": UNLIMITED,
        "rc_key_requests": UNLIMITED,
        "rc_admin_redaction": UNLIMITED,
        "rc_3pid_validation": UNLIMITED,
        "rc_media_create": UNLIMITED,
        "rc_presence": {"per_user": UNLIMITED},
        "rc_delayed_event_mgmt": UNLIMITED,
    }


class Synapse:
    """A running homeserver: its URL, and the admin API calls the tests need."""

    def __init__(self, directory: Path, process: subprocess.Popen[bytes], port: int,
                 shared_secret: str) -> None:
        self.directory = directory
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.shared_secret = shared_secret
        self.admin: Account | None = None

    @classmethod
    def start(cls, directory: Path) -> Synapse:
        """Write the config, generate the keys, start the server and wait until it answers."""
        python = synapse_python()
        if not python.exists():
            raise RuntimeError(f"{python} is missing: run `make synapse` (Synapse's own venv)")
        directory.mkdir(parents=True, exist_ok=True)
        port, shared_secret = free_port(), secrets.token_hex(16)
        path = directory / "homeserver.yaml"
        path.write_text(json.dumps(config(directory, port, shared_secret), indent=1))
        subprocess.run([str(python), "-m", "synapse.app.homeserver", "-c", str(path),
                        "--generate-keys"], check=True, cwd=directory, capture_output=True)
        server = cls(directory, _launch(python, path), port, shared_secret)
        try:
            server.wait_ready()
            server.admin = server.register("admin", admin=True)
        except BaseException:
            server.stop()
            raise
        return server

    def restart(self) -> None:
        """Stop the server and start it again on the same port and data (a homeserver
        deploy, seen from its clients)."""
        self.stop()
        self.process = _launch(synapse_python(), self.directory / "homeserver.yaml")
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited ({self.process.returncode}): "
                                   f"{self.log_tail()}")
            try:
                self.request("GET", "/_matrix/client/versions")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Synapse not ready after {START_TIMEOUT} s: {self.log_tail()}")

    def log_tail(self, size: int = 3000) -> str:
        return (self.directory / "synapse.log").read_text(errors="replace")[-size:]

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                token: str | None = None) -> dict[str, Any]:
        """One HTTP call to the server; its JSON answer (an HTTP error raises)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def register(self, localpart: str, *, admin: bool = False) -> Account:
        """A new account through the shared-secret admin API (HMAC-SHA1 of nonce, name,
        password and admin flag)."""
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        password = secrets.token_hex(12)
        message = b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                b"admin" if admin else b"notadmin"])
        mac = hmac.new(self.shared_secret.encode(), message, hashlib.sha1).hexdigest()
        answer = self.request("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": localpart, "password": password, "admin": admin,
            "mac": mac})
        return Account(answer["user_id"], password, answer["access_token"], answer["device_id"])

    def override_ratelimit(self, user_id: str, per_second: int, burst: int) -> None:
        """Give `user_id` its own message rate limit (0, 0: none)."""
        assert self.admin is not None
        self.request("POST", f"/_synapse/admin/v1/users/{user_id}/override_ratelimit",
                     {"messages_per_second": per_second, "burst_count": burst},
                     self.admin.access_token)

    def deactivate(self, user_id: str) -> None:
        """Deactivate an account (it leaves every room)."""
        assert self.admin is not None
        self.request("POST", f"/_synapse/admin/v1/deactivate/{user_id}", {"erase": False},
                     self.admin.access_token)


def _launch(python: Path, config_path: Path) -> subprocess.Popen[bytes]:
    """Start Synapse on this config, its log appended to synapse.log beside it."""
    log = (config_path.parent / "synapse.log").open("ab")
    return subprocess.Popen([str(python), "-m", "synapse.app.homeserver", "-c", str(config_path)],
                            cwd=config_path.parent, stdout=log, stderr=subprocess.STDOUT)
