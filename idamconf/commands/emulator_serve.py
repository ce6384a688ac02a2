"""`idamconf emulator serve`: the emulator over HTTP, on a loopback address unless the operator insists.

The emulator accepts any bearer token, so whoever can reach it can read and change its tenant: it listens on
loopback only. `--allow-non-loopback` exists for one case, a container whose published port forwards to it (the
container must listen on 0.0.0.0 for that), and is warned about on every start. Either way it answers only requests
addressed to a loopback name (emulator/hosts), so clients use http://127.0.0.1:PORT (or localhost) even then.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from ..emulator.embedded import opened
from ..emulator.faults import FaultSpecError, parse_spec
from ..emulator.seed import SeedError, seed_file
from ..emulator.store import Store


def run(host: str, port: int, state: Path, seed: Path | None, faults: str | None = None,
        allow_non_loopback: bool = False, tls: bool = False, enforce_permissions: bool = False,
        colour: bool | None = None) -> int:
    from ..colour import use_colour
    from ..emulator import tls as emulator_tls
    from ..emulator.server import serve

    if not loopback_address(host):
        if not allow_non_loopback:
            print(f"error: --host {host} is not a loopback address: the emulator accepts any bearer token, so "
                  "anyone who can reach it could read and change its tenant.\nfix: leave --host at 127.0.0.1 "
                  "(or ::1, localhost); in a container whose published port must reach it, add "
                  "--allow-non-loopback.", file=sys.stderr)
            return 1
        print(f"WARNING: listening on {host}, not only loopback: anyone who can reach port {port} can read and "
              "change this emulated tenant (any bearer token is accepted). Requests are answered only when "
              "addressed to a loopback name (http://127.0.0.1:PORT).", file=sys.stderr, flush=True)
    taken = _unlistenable(host, port)
    if taken:
        print(f"error: cannot listen on {host} port {port}: {taken}.\nfix: choose another --port (1-65535; below "
              "1024 only root may listen), or stop what listens there; --host must name an address of this "
              "machine.", file=sys.stderr)
        return 1
    try:
        spec = parse_spec(faults) if faults else None
    except FaultSpecError as error:
        print(f"error: --faults: {error}", file=sys.stderr)
        return 1
    if seed is not None and not state.exists():
        try:
            opened(state, lambda store, fresh: seed_file(store, seed)).close()
        except SeedError as error:
            print(f"error: --seed: {error}", file=sys.stderr)
            return 1
    if enforce_permissions:  # kept in the state: the tenant enforces from now on (emulator/identity/enforcement)
        from ..emulator.identity.enforcement import enforce
        enforce(Store(state))
    injected = f", faults {faults}" if spec else ""
    files = emulator_tls.ensure(emulator_tls.directory_for(state.resolve())) if tls else None
    scheme = "https" if files else "http"
    print(f"Graph emulator at {scheme}://{_shown_host(host)}:{port}/v1.0 (state {state}{injected}). Ctrl+C stops "
          "it.", flush=True)
    if files:
        print(f"TLS with the emulator's own CA; trust it with: export SSL_CERT_FILE={files.ca_bundle} "
              f"REQUESTS_CA_BUNDLE={files.ca_bundle} (or an environment's caBundle: {files.ca_bundle})", flush=True)
        print(f"Its identity provider: https://{_shown_host(host)}:{port}/{_tenant_id(state)}/v2.0/.well-known/"
              "openid-configuration (docs/identity-provider.md)", flush=True)
        print(f"Key Vault emulator at https://<vault name>.vault.localhost:{port} (docs/emulator.md): an emulator "
              "environment's client secrets go there.", flush=True)
    serve(state, _bare(host), port, faults=spec, tls=files, colour=use_colour(colour, sys.stderr))  # (log: stderr)
    return 0


def _unlistenable(host: str, port: int) -> str:
    """Why HOST:PORT cannot be listened on (in use, out of range, a name that resolves to nothing), or "": asked
    before the tenant is opened or seeded, so that uvicorn's own failure -- a log line and exit 3, or a traceback
    for a port out of range -- is never the answer. (A port taken between this and uvicorn's bind is still its.)"""
    import socket

    if not 0 < port < 65536:
        return "a port is a number from 1 to 65535"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(_bare(host), port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as error:
        return error.strerror or str(error)
    return ""


def _bare(host: str) -> str:
    """An IPv6 address as a URL writes it, [::1], is ::1."""
    return host.removeprefix("[").removesuffix("]")


def _tenant_id(state: Path) -> str:
    store = Store(state)
    try:
        return store.tenant_id
    finally:
        store.close()


def _shown_host(host: str) -> str:
    """The host as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def loopback_address(host: str) -> bool:
    """An address to listen on that only this machine can reach: 127.0.0.0/8, ::1, or the name localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(_bare(host)).is_loopback
    except ValueError:
        return False
