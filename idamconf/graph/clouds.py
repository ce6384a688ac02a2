"""Where a tenant's token may go: Microsoft Graph's own endpoints, or an emulator on this machine.

A `graphUrl` decides where `Authorization: Bearer <token>` is sent, and a pull request can change it. So for every
credential that signs in to Entra ID it must be one of Microsoft Graph's service roots (the global service or a
national cloud: learn.microsoft.com/graph/deployments), written exactly; the token's scope and the sign-in
authority follow that cloud. `credential: emulator` sends a made-up token, and only to loopback. A credential that signs in (a secret, a
certificate, a federated token) may also sign in to a served emulator on this machine over TLS: then both the token
and the sign-in go to that one https loopback origin, which is the authority as well (`emulator_authority`), and never
anywhere else -- no setting names an authority (docs/security.md). `validate` refuses
anything else (config/semantics), and the HTTP client refuses every request whose origin is not the target's
(graph/origin), so a link or a redirect cannot carry the token elsewhere either.

Pure: no I/O, no Graph SDK (validate imports this).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION_ROOT = "/v1.0"


@dataclass(frozen=True)
class Cloud:
    name: str
    graph: str  # the service root's origin, e.g. https://graph.microsoft.com
    authority: str  # where to sign in (azure-identity's `authority`)

    @property
    def url(self) -> str:
        return self.graph + VERSION_ROOT

    @property
    def scope(self) -> str:
        """The `.default` scope names the cloud's own Graph (a token for another cloud's is refused there)."""
        return self.graph + "/.default"

    @property
    def host(self) -> str:
        return self.graph.removeprefix("https://")


CLOUDS = (
    Cloud("global service", "https://graph.microsoft.com", "login.microsoftonline.com"),
    Cloud("US Government L4", "https://graph.microsoft.us", "login.microsoftonline.us"),
    Cloud("US Government L5 (DoD)", "https://dod-graph.microsoft.us", "login.microsoftonline.us"),
    Cloud("China operated by 21Vianet", "https://microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn"),
)

# A served emulator: http or https, a loopback address or name, any port, the v1.0 root; nothing else (no user
# information, query or fragment). Written out rather than parsed, so no URL parser's leniency can widen it.
_LOOPBACK_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::(?P<port>[0-9]{1,5}))?/v1\.0/?")
_EMULATED_SIGN_IN_FIX = (", or sign in to an emulator served with --tls at https://127.0.0.1:PORT/v1.0 "
                         "(its own identity provider)")
LOOPBACK_FORMS = "http://127.0.0.1:PORT/v1.0, http://localhost:PORT/v1.0 or http://[::1]:PORT/v1.0 (or https)"


# The credentials that can sign in to a served emulator's identity provider. `default` cannot: azure-identity's
# DefaultAzureCredential also asks the machine's managed identity endpoint and developer tools, elsewhere.
EMULATED_SIGN_IN = ("client-secret", "certificate", "workload-identity")
EMULATED_GRAPH = CLOUDS[0]  # the emulator is the global service's Graph: tokens are asked for its scope


def emulator_authority(graph_url: str) -> str | None:
    """Where a tenant credential signs in for a loopback `graph_url`: the same emulator's origin, over https only
    (azure-identity refuses an http authority, and a secret must never cross a socket in clear). None otherwise."""
    if not is_loopback(graph_url) or not graph_url.startswith("https://"):
        return None
    return graph_url[: graph_url.index("/v1.0")]


def cloud_of(graph_url: str) -> Cloud | None:
    """The cloud whose Graph `graph_url` is (with or without a trailing slash), else None."""
    return next((cloud for cloud in CLOUDS if graph_url in (cloud.url, cloud.url + "/")), None)


def is_loopback(graph_url: str) -> bool:
    match = _LOOPBACK_URL.fullmatch(graph_url)
    return match is not None and int(match["port"] or 0) <= 65535


def graph_url_problem(graph_url: str, credential: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) when `credential`'s token must not go to `graph_url`; None when it may.
    The URL itself is never repeated: it could hold anything, a password in its user information included."""
    if credential == "emulator":
        if is_loopback(graph_url):
            return None
        return ("credential 'emulator' is only for an emulator on this machine, and graphUrl is not a loopback "
                "address", f"write {LOOPBACK_FORMS}; for a tenant, use a Graph endpoint with another credential")
    if cloud_of(graph_url) is not None:
        return None
    if emulator_authority(graph_url) and credential in EMULATED_SIGN_IN:
        return None
    fix = f"write one of {', '.join(cloud.url for cloud in CLOUDS)} (the global service, US Government L4 and L5, " \
          "China operated by 21Vianet)"
    if is_loopback(graph_url):
        return (f"credential '{credential}' signs in to Entra ID, and that token goes only to Microsoft Graph, not to "
                "a loopback address", f"{fix}; for an emulator on this machine, add credential: emulator"
                f"{_EMULATED_SIGN_IN_FIX if credential in EMULATED_SIGN_IN else ''}")
    return (f"not a Microsoft Graph endpoint, and credential '{credential}' would send the tenant's token there",
            f"{fix}; for an emulator on this machine, credential: emulator with {LOOPBACK_FORMS}")
