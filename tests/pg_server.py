"""A real PostgreSQL server for the tests, started from the binaries of the ``pgserver``
package (a dev dependency that ``make setup`` installs): no system install, no mock.

The server listens on 127.0.0.1 on a free port (and on a Unix socket in its own
folder), with password (SCRAM) authentication over TCP, so the tests log in the way a
region's server is reached. Running as root (CI), the server runs as ``nobody``:
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

APP_ROLE = "medrecon_app"


def binaries() -> Path:
    """The bundled PostgreSQL ``bin`` folder (found without importing pgserver, whose
    import sets up runtime folders the tests do not need)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pgserver saknas: kör make setup (den installerar testservern).")
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (folder / "postgres").exists():
        raise RuntimeError(f"PostgreSQL-programmen saknas i {folder}.")
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgServer:
    root: Path
    port: int = 0
    superuser_password: str = field(default_factory=lambda: secrets.token_hex(12))
    app_password: str = field(default_factory=lambda: secrets.token_hex(12))
    _run_as: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _pg(self, program: str, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(binaries() / program), *args],
            check=True,
            capture_output=True,
            timeout=timeout,
            **self._run_as,
        )

    def start(self) -> None:
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self._run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid}
        password_file = self.root / "pw"
        password_file.write_text(self.superuser_password + "\n", encoding="utf-8")
        if self._run_as:
            os.chown(password_file, self._run_as["user"], self._run_as["group"])
        self._pg(
            "initdb",
            "-D", str(self.data),
            "-U", "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        for attempt in range(3):
            self.port = _free_port()
            try:
                self._pg(
                    "pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "server.log"),
                    "-o", f"-h 127.0.0.1 -p {self.port} -k {self.root}", "start",
                )  # fmt: skip
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    log = (self.root / "server.log").read_text(errors="replace")
                    raise RuntimeError(f"PostgreSQL startade inte:\n{log}") from None
        with self.admin() as conn:
            conn.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{self.app_password}'"  # test-only secret
            )

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=30)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def admin(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            password=self.superuser_password,
            dbname=database,
            autocommit=True,
        )

    def create_database(self, owner: str = APP_ROLE) -> str:
        name = f"medrecon_{secrets.token_hex(6)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER {owner}")
        return name

    def url(self, database: str, *, with_password: bool = True) -> str:
        secret = f":{self.app_password}" if with_password else ""
        return f"postgresql+psycopg://{APP_ROLE}{secret}@127.0.0.1:{self.port}/{database}"

    def raw(self, database: str) -> psycopg.Connection[Any]:
        """A plain connection as the store's own role (for tampering in tests)."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=APP_ROLE,
            password=self.app_password,
            dbname=database,
            autocommit=True,
        )


def start_server() -> PgServer:
    server = PgServer(Path(tempfile.mkdtemp(prefix="medrecon-pg-")))
    try:
        server.start()
    except BaseException:
        shutil.rmtree(server.root, ignore_errors=True)
        raise
    return server
