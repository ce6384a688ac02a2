"""`idamconf emulator token`: a signed access token from an emulated tenant, for a service team's own tests.

`--app NAME --user UPN [--scope S ...]`: a delegated token for that user calling that application, carrying the
app roles the user holds now (directly or through an access package), as the token endpoint's test-only grant
issues it (emulator/identity/user_tokens.py). `--federated --subject S [--issuer I]`: a workload-identity token as
GitHub Actions would write it, which the emulated tenant exchanges for an application's token when a federated
credential matches it. The token alone is printed, so a shell can capture it. Its issuer names the served
emulator's origin (`--url`, default the https one `emulator serve --tls` listens on), whose JWKS validates it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError
from ..escape import terminal
from ..emulator.identity import refusals
from ..emulator.identity.user_tokens import federated_token, user_token
from ..emulator.store import Store
from .emulator_seed import emulated_tenant

GITHUB = "https://token.actions.githubusercontent.com"
ASSIGN = ("the application requires assignment: give the user one of its app roles -- under `assignments:` in its "
          "file (as a user, or through a group of the seed), then apply, or through an access package assignment "
          "-- and ask again; or ask for a user who holds one")


def run(app: str | None, user: str | None, scopes: list[str], config_dir: Path, env: str | None,
        state: Path | None, url: str, federated: bool = False, issuer: str = GITHUB, subject: str | None = None) -> int:
    path, _, _ = emulated_tenant(config_dir, env, state)
    if not path.exists():
        raise DiagnosticError([Diagnostic(f"{path}: no emulated tenant there yet",
                                          "run plan or apply against it first, or name another with --state")])
    store = Store(path)
    try:
        print(_token(store, app, user, scopes, url.rstrip("/"), federated, issuer, subject))
    except refusals.TokenRefused as refused:
        print(f"error: {terminal(str(refused))}", file=sys.stderr)  # it repeats what was asked, as Entra does
        if refused.code == refusals.NOT_ASSIGNED:  # Entra's words say what is wrong, not what to do here
            print(f"    fix: {ASSIGN}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _token(store: Store, app, user, scopes, origin, federated, issuer, subject) -> str:
    if federated:
        if not subject:
            raise DiagnosticError([Diagnostic("--federated needs --subject", "e.g. --subject "
                                                                              "repo:contoso/identity:environment:nle")])
        return federated_token(store, issuer, subject)
    if not app or not user:
        raise DiagnosticError([Diagnostic("--app and --user are needed", "e.g. --app orders-api --user "
                                                                          "alice.admin@contoso.com")])
    return user_token(store, origin, store.tenant_id, _application(store, app), user, scopes)


def _application(store: Store, name: str) -> dict:
    """The application `name` is: idamconf's name (its uniqueName), its app id, or its display name."""
    for key in ("uniqueName", "appId", "displayName"):
        found = store.find("applications", key, name)
        if found:
            return found
    raise DiagnosticError([Diagnostic(f"no application '{name}' in the emulated tenant",
                                      "give its name in the configuration, its app id, or its display name")])
