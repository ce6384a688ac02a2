"""Run idamconf's command line with every logger at DEBUG, and no host but loopback reachable.

    python -m tests.reliability.logged LOG_FILE idamconf-arguments...

idamconf has no verbosity flag and never configures `logging` itself; the libraries under it (azure-identity,
azure-core, httpx, kiota, msal) log through it. So this is what an operator turning logging up would get:
`logging.basicConfig(level=DEBUG)` for the whole process, written to LOG_FILE, before idamconf starts. Tests run it
as a separate process, so the socket guard of tests/conftest.py is installed here too.
"""

from __future__ import annotations

import logging
import socket
import sys

from tests.conftest import _is_loopback


def _loopback_only() -> None:
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(address) -> None:
        if not _is_loopback(address):
            raise SystemExit(f"refused a connection to {address}: tests may reach loopback only")

    def connect(self, address):
        refuse(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        refuse(address)
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex


def main(log_file: str, arguments: list[str]) -> None:
    logging.basicConfig(level=logging.DEBUG, filename=log_file, encoding="utf-8",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _loopback_only()
    from idamconf.cli import main as idamconf

    sys.argv = ["idamconf", *arguments]
    idamconf()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
