"""A file an environment names that a library reads whole -- `caBundle` (ssl), `certificatePath` (azure-identity)
-- being a FIFO or a device: the plan waited forever (or, for /dev/zero, read forever). It is now said as that
setting's failure, one line with the fix, exit 1."""

from __future__ import annotations

import os
import threading

from tests.cli.harness import add_environment, plan

TENANT, CLIENT = "00000000-0000-0000-0000-00000000c001", "00000000-0000-0000-0000-00000000c002"


def fifo(path) -> None:
    """A FIFO whose writer closes it each time a reader opens it: a reader (a regression) sees an empty file and
    fails on it, rather than waiting forever; idamconf, which never opens it, leaves the writer waiting (a daemon)."""
    os.mkfifo(path)

    def writer():
        while True:
            open(path, "wb").close()

    threading.Thread(target=writer, daemon=True).start()


def test_a_ca_bundle_that_is_a_fifo_is_refused(project, tmp_path):
    fifo(tmp_path / "ca.pem")
    add_environment(project, "  served:\n    graphUrl: https://127.0.0.1:18999/v1.0\n"
                             f"    tenantId: {TENANT}\n    credential: emulator\n    caBundle: {tmp_path / 'ca.pem'}\n")
    result = plan(project, "-e", "served")
    assert result.code == 1 and "unexpected" not in result.err, result.err
    assert result.err.startswith(f"error: environment 'served': caBundle {tmp_path / 'ca.pem'} cannot be read as a PEM "
                                 f"bundle ({tmp_path / 'ca.pem'} is not a regular file: a FIFO or a device would be "
                                 "waited on). Fix: "), result.err


def test_a_certificate_path_that_is_a_fifo_is_refused(project, tmp_path):
    fifo(tmp_path / "cert.pem")  # (a FIFO, not /dev/zero: a regression would read an empty file, not fill the memory)
    add_environment(project, "  corp:\n    graphUrl: https://graph.microsoft.com/v1.0\n"
                             f"    tenantId: {TENANT}\n    clientId: {CLIENT}\n    credential: certificate\n"
                             f"    certificatePath: {tmp_path / 'cert.pem'}\n")
    result = plan(project, "-e", "corp")
    assert result.code == 1 and "unexpected" not in result.err, result.err
    assert result.err.startswith("error: signing in to Entra ID failed for environment 'corp' (credential "
                                 f"certificate): OSError: {tmp_path / 'cert.pem'} is not a regular file: a FIFO or a "
                                 f"device would be waited on. Fix: check that {tmp_path / 'cert.pem'} holds"), result.err
