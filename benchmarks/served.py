"""The emulator served by `idamconf emulator serve` (uvicorn) on 127.0.0.1, so that HTTP is real, and its counters
(`GET /_emulator/stats`, `POST /_emulator/stats/reset`: what it served, by Graph's cost table).

    with Served(state_file, faults="latency=20ms,budget=S") as emulator:
        emulator.reset()
        ...                      # measured work against emulator.graph_url
        counted = emulator.stats()

`tls=True` serves HTTPS (`emulator serve --tls`), as Graph is served: a client then trusts `emulator.ca_bundle`, and
the emulator's token service signs in what `register_pipeline` registers, as a pipeline signs in to Entra.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx

from .measure import IDAMCONF, ROOT, environment

HOST = "127.0.0.1"
BEARER = {"Authorization": "Bearer bench"}  # the emulator's own endpoints ask for a token, as /v1.0 does


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, state: Path, faults: str | None = None, seed: Path | None = None, tls: bool = False):
        self.state, self.faults, self.seed, self.tls = Path(state), faults, seed, tls
        self.port = free_port()
        self.root = f"{'https' if tls else 'http'}://{HOST}:{self.port}"
        self.graph_url = f"{self.root}/v1.0"
        self.ca_bundle: Path | None = None
        self._verify: ssl.SSLContext | bool = True
        self._process: subprocess.Popen | None = None
        self._log = self.state.with_suffix(".serve.log")

    def __enter__(self) -> "Served":
        command = [IDAMCONF, "emulator", "serve", "--host", HOST, "--port", str(self.port), "--state", str(self.state)]
        if self.faults:
            command += ["--faults", self.faults]
        if self.seed is not None:
            command += ["--seed", str(self.seed)]
        if self.tls:  # the files `emulator serve --tls` uses, made here first so that this side can trust them
            from idamconf.emulator import tls

            self.ca_bundle = tls.ensure(tls.directory_for(self.state.resolve())).ca_bundle
            self._verify = ssl.create_default_context(cafile=str(self.ca_bundle))
            command += ["--tls"]
        with open(self._log, "wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             cwd=ROOT, env=environment())
        self._wait_until_up()
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _wait_until_up(self, seconds: float = 120.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the emulator exited {self._process.returncode}: {self._log.read_text()[-2000:]}")
            try:
                if self._get("/_emulator/stats", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the emulator did not answer within {seconds:.0f} s: {self._log.read_text()[-2000:]}")

    def _get(self, path: str, timeout: float) -> httpx.Response:
        return httpx.get(f"{self.root}{path}", headers=BEARER, timeout=timeout, trust_env=False, verify=self._verify)

    def stats(self) -> dict:
        response = self._get("/_emulator/stats", timeout=30)
        response.raise_for_status()
        return response.json()

    def register_pipeline(self) -> dict:
        """An application a pipeline signs in as, with a client secret (not tagged: no plan of the project sees it):
        its appId and the secret, which the caller hands only to the command it measures."""
        with httpx.Client(base_url=f"{self.graph_url}/", headers=BEARER, timeout=30, trust_env=False,
                          verify=self._verify) as graph:
            application = graph.post("applications", json={"displayName": "benchmark pipeline"})
            application.raise_for_status()
            found = application.json()
            graph.post("servicePrincipals", json={"appId": found["appId"]}).raise_for_status()
            secret = graph.post(f"applications/{found['id']}/addPassword", json={})
            secret.raise_for_status()
            return {"client_id": found["appId"], "secret": secret.json()["secretText"]}

    def cpu_seconds(self) -> float:
        """User + system time the served emulator has used so far (Linux's /proc; 0 where it is not there)."""
        try:
            fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError, AttributeError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset(self) -> None:
        httpx.post(f"{self.root}/_emulator/stats/reset", headers=BEARER, timeout=30, trust_env=False,
                   verify=self._verify).raise_for_status()


def throttled(stats: dict) -> int:
    """429s the emulator answered (Graph-budget throttling and any injected)."""
    return int(stats.get("statuses", {}).get("429", 0))
