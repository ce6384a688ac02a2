"""Build a `GraphClient` for an environment: the embedded emulator in-process, a served emulator, or a real tenant.

Real tenants authenticate through azure-identity. Which credential is used is the environment's `credential`
setting; a client secret is read from the environment variable the configuration names, never from a file, and is
handed straight to azure-identity. The token goes only to the target's Graph, one of Microsoft's clouds
(graph/clouds): its scope and the sign-in authority are that cloud's, kiota adds it only for that host, and the HTTP
client sends nothing to any other origin (graph/origin).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import ssl
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter
from msgraph_core import GraphClientFactory

from .budget import RESOURCE_UNITS, Budget
from . import client as retrying
from .client import GraphClient, Unrecoverable
from .clouds import EMULATED_GRAPH, Cloud, cloud_of, emulator_authority, graph_url_problem, is_loopback
from .origin import confine
from . import signed_in_early

# azure-identity's own variable: where this machine signs in, when it must be somewhere else than the cloud's
# authority (a proxy, a test). The machine is trusted; the configuration, which a pull request changes, is not.
AUTHORITY_VARIABLE = "AZURE_AUTHORITY_HOST"
# Where a pipeline's OIDC step leaves the federated token that `credential: workload-identity` exchanges.
FEDERATED_TOKEN_VARIABLE = "AZURE_FEDERATED_TOKEN_FILE"


class ConnectError(Unrecoverable):
    """This environment's Graph cannot be used as configured: said in one line, never retried."""


class SignInFailed(ConnectError):
    """Signing in to Entra ID failed: one line naming the environment and the credential, what azure-identity said
    (its first line), and how to fix it."""

    def __init__(self, target: "Target", said: str):
        fix = SIGN_IN_FIXES.get(target.credential, "check the environment's credential settings").format(
            secret=target.client_secret_env, client=f"{target.client_key} {target.client_id}",
            path=target.certificate_path)
        cloud = cloud_of(target.graph_url)
        reach = _authority(cloud) if cloud else emulator_authority(target.graph_url) or "its sign-in authority"
        super().__init__(f"signing in to Entra ID failed for environment '{target.environment}' (credential "
                         f"{target.credential}): {said.rstrip('. ')}. Fix: {fix}; and check that this machine can "
                         f"reach {reach}.")


# How to fix a failed sign-in, by credential: what a user of each one most often has to do.
SIGN_IN_FIXES = {
    "default": "sign in first (`az login`), or set the variables azure-identity's DefaultAzureCredential reads "
               "(AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret, certificate or federated token file)",
    "client-secret": "check that the secret in {secret} is current (client secrets expire) and belongs to "
                     "{client}",
    "certificate": "check that {path} holds the certificate with its private key, and that the certificate is "
                   "registered on {client}",
    "workload-identity": "workload identity signs in only where a federated token is given: in the pipeline (its "
                         "OIDC step sets AZURE_FEDERATED_TOKEN_FILE); check the federated credential of {client} "
                         "(its subject must match the workflow's repository, pull request or environment), "
                         "or from a terminal use an environment with `credential: default`, after `az login`",
}


@dataclass(frozen=True)
class Target:
    """Where an environment's Graph is, and how to authenticate to it."""

    environment: str
    graph_url: str
    credential: str = "emulator"  # emulator | default | client-secret | certificate | workload-identity
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    certificate_path: str | None = None
    emulator_state: Path | None = None  # set: the embedded emulator, in-process, with this state file
    emulator_seed: Path | None = None
    tenant_size: str = "none"  # Graph's throttling budget to pace by: S, M, L or none
    verified_domains: tuple[str, ...] = ()  # as the environment declares them
    ca_bundle: str | None = None  # a served emulator's own CA (https on loopback); never for Microsoft Graph
    client_key: str = "clientId"  # the idamconf.yaml key that gives client_id: readClientId for what only reads

    @property
    def emulated_tenant(self) -> dict:
        """What the environment declares of its tenant, which an embedded emulator's new tenant takes."""
        declared = {"id": self.tenant_id, "verifiedDomains": list(self.verified_domains)}
        return {name: value for name, value in declared.items() if value}

    @property
    def embedded(self) -> bool:
        return self.emulator_state is not None

    @property
    def description(self) -> str:
        if self.embedded:
            return f"embedded emulator ({self.emulator_state})"
        return f"{self.graph_url} (tenant {self.tenant_id or 'from credential'})"


class _EmulatorToken(AccessTokenProvider):
    """The emulator accepts any bearer token; this one is sent only to loopback or in-process targets."""

    def __init__(self, host: str = "emulator.localhost"):  # the embedded emulator's (workflow.target_for)
        self.hosts = AllowedHostsValidator([host])

    async def get_authorization_token(self, uri: str, additional_authentication_context: dict = {}) -> str:
        return "idamconf-emulator" if self.hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self.hosts


@contextlib.asynccontextmanager
async def connect(target: Target, timeout: float | None = None):
    """A `GraphClient` for the target; after `timeout` seconds it starts and retries nothing more."""
    auth = _auth_provider(target)  # first: a target whose token must not go where it points is refused here
    http = _http_client(target)
    guards = [http._transport, *(t for t in http._mounts.values() if t is not None)]  # origin.OriginGuard each
    # msgraph-core's retry handler is turned off: it would send a create again on 503/504 (duplicating it), it cannot
    # see the items of a `$batch`, and it sleeps past `--timeout`. GraphClient retries, by one rule for all.
    no_retries = RetryHandlerOption(max_retries=0, should_retry=False)
    client = GraphClientFactory.create_with_default_middleware(client=http,
                                                               options={RetryHandlerOption.get_key(): no_retries})
    adapter = GraphRequestAdapter(auth, client)
    deadline = time.monotonic() + timeout if timeout else None
    try:
        budget = Budget(target.tenant_size) if target.tenant_size in RESOURCE_UNITS else None
        yield GraphClient(adapter, target.graph_url, policy=_policy(target), budget=budget, deadline=deadline)
    finally:
        await http.aclose()
        for guard in guards:  # msgraph-core's transport, wrapped around them, does not close what it wraps: left
            await guard.aclose()  # open, a served emulator's TLS connections kept it from stopping for 10 s
        await _close_credential(auth)


def _policy(target: Target) -> retrying.RetryPolicy:
    """The embedded emulator answers in the same event loop, within a millisecond: the calls a `$batch`'s answers
    set going are all made before the loop's next turn, so a call there waits for no others (`linger` 0). Waiting
    10 ms, as for Graph, only idled: an apply of examples/ took 1.07 s with it and 0.5 s without, in 46 and 47
    `$batch`es. (The class is looked up in its module at each call: tests replace it there.)"""
    return retrying.RetryPolicy(linger=0.0) if target.embedded else retrying.RetryPolicy()


async def _close_credential(auth) -> None:
    """azure-identity's async credentials hold an HTTP session of their own (aiohttp): closed with the client."""
    provider = getattr(auth, "access_token_provider", None)
    if isinstance(provider, _SignIn):
        await provider.close()


def _http_client(target: Target) -> httpx.AsyncClient:
    timeout = httpx.Timeout(60.0, connect=10.0)
    if target.embedded:
        from ..emulator import embedded
        from ..emulator.faults import FaultSpecError
        from ..emulator.seed import SeedError

        try:
            app = embedded.open_app(target.emulator_state, target.emulator_seed, tenant=target.emulated_tenant)
        except FaultSpecError as error:
            raise ConnectError(str(error)) from None
        except SeedError as error:
            raise ConnectError(f"{error}. Fix: correct the environment's seed file (its format: "
                               "examples/emulator/directory.yaml)") from None
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=target.graph_url, timeout=timeout)
    else:
        client = _network_client(target.graph_url, timeout, _trusted(target))
    return confine(client, target.graph_url)


def _network_client(base_url: str, timeout: httpx.Timeout, verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """The client to a served emulator or a tenant (with the proxies the environment names, as httpx does)."""
    _absent_once("sniffio")
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=verify)


def _absent_once(name: str) -> None:
    """httpcore runs `import sniffio` each time it makes a lock or an event -- several times a request -- and takes
    asyncio when it is missing. anyio no longer needs sniffio, so it is often not installed, and then each of those
    imports searched every sys.path entry again: some 3,900 failed searches in a plan of 10,000 applications, ~0.6 s
    of its main process's CPU. A module known to be missing is recorded as Python documents it (None in
    sys.modules): each later `import` fails at once, with the same ImportError. Installed, it is left alone."""
    if name not in sys.modules and importlib.util.find_spec(name) is None:
        sys.modules[name] = None


def _trusted(target: Target) -> ssl.SSLContext | bool:
    """Whom the target's certificate may come from: the system's trust store (True), or an environment's `caBundle`
    for a served emulator on loopback only. A configuration, which a pull request changes, never decides whom
    Microsoft Graph's certificate may come from (validate refuses it there; refused here too)."""
    if not target.ca_bundle:
        return True
    if not is_loopback(target.graph_url):
        raise ConnectError(f"environment '{target.environment}': caBundle is only for a served emulator on loopback. "
                           "Fix: remove caBundle; Graph's certificate is checked against the system's trust store.")
    try:
        _regular(target.ca_bundle)
        return ssl.create_default_context(cafile=target.ca_bundle)
    except (OSError, ssl.SSLError) as error:
        raise ConnectError(f"environment '{target.environment}': caBundle {target.ca_bundle} cannot be read as a PEM "
                           f"bundle ({_first_line(error)}). Fix: point it at the ca.pem that `idamconf emulator serve "
                           "--tls` printed.") from None


def _regular(path: str) -> None:
    """A file a setting names, which a library reads whole: a FIFO or a device (/dev/stdin, /dev/zero) would be
    waited on, or read forever, so one that is there but not a regular file is an OSError, said as the setting's
    own. (One that is not there is left to the library, which says so.)"""
    if os.path.exists(path) and not os.path.isfile(path):
        raise OSError(f"{path} is not a regular file: a FIFO or a device would be waited on")


CAE = True  # tokens asked with continuous access evaluation (kiota's default), the early sign-in's and the client's


def _auth_provider(target: Target):
    host = httpx.URL(target.graph_url).host
    _check_graph_url(target)
    if target.credential == "emulator":
        return BaseBearerTokenAuthenticationProvider(_EmulatorToken(host))
    from kiota_authentication_azure.azure_identity_access_token_provider import AzureIdentityAccessTokenProvider

    cloud = _cloud(target)
    credential = _credential(target, cloud)
    early = signed_in_early.started(target)  # (signed in while the files were read: sign_in_early)
    if early is not None:
        credential = signed_in_early.Presigned(credential, early)
    tokens = AzureIdentityAccessTokenProvider(credential, None, scopes=[cloud.scope],
                                              allowed_hosts=[host if cloud.name == EMULATED else cloud.host],
                                              is_cae_enabled=CAE)
    return BaseBearerTokenAuthenticationProvider(_SignIn(tokens, target))


def _cloud(target: Target) -> Cloud:
    """The cloud the target's Graph belongs to; a served emulator on loopback is one of its own."""
    return cloud_of(target.graph_url) or _emulated_cloud(target.graph_url)


def _sign_in_modules() -> None:
    """azure-identity's async credentials and the HTTP stack they sign in over (aiohttp, and azure-core's transport
    over it, which azure-core imports at the first request): some 0.4 s of imports."""
    import aiohttp  # noqa: F401
    import azure.core.pipeline.transport._aiohttp  # noqa: F401
    from azure.identity import aio  # noqa: F401


def _check_graph_url(target: Target) -> None:
    if not target.embedded:
        problem = graph_url_problem(target.graph_url, target.credential)  # validate refused it; never sent anyway
        if problem:
            raise ConnectError(f"environment '{target.environment}': {problem[0]}. Fix: {problem[1]}.")


def sign_in_early(target: Target) -> None:
    """Start signing in to `target` while the configuration's files are read (graph/signed_in_early.py): for a
    tenant or a served emulator that signs in (not `credential: emulator`, nor the embedded emulator), after the
    same checks as `connect`'s. A target those checks refuse starts nothing: `connect` says why, later."""
    if target.embedded or target.credential == "emulator":
        return
    try:
        _check_graph_url(target)
        cloud = _cloud(target)
    except ConnectError:
        return
    _sign_in_modules()  # here, before the thread: there, beside the files' modelling, importing them took seconds

    async def sign_in():
        credential = _credential(target, cloud)
        try:
            return cloud.scope, CAE, await credential.get_token(cloud.scope, enable_cae=CAE)
        finally:
            await credential.close()

    signed_in_early.start(target, sign_in)


EMULATED = "served emulator"


def _emulated_cloud(graph_url: str) -> Cloud:
    """A served emulator on loopback, over TLS, as a cloud: Graph's scope (it emulates the global service), and its
    own origin as the authority -- the sign-in goes where the token goes, and nowhere else (graph/clouds)."""
    return Cloud(EMULATED, EMULATED_GRAPH.graph, emulator_authority(graph_url))


class _SignIn(AccessTokenProvider):
    """azure-identity's tokens, with a failure said once: a plan's first requests all ask for a token at once, and
    the first failure is the answer to every one of them (and to any later one), as one line (SignInFailed)."""

    def __init__(self, tokens: AccessTokenProvider, target: Target):
        self.tokens, self.target = tokens, target
        self.failed: SignInFailed | None = None
        self.one_at_a_time = asyncio.Lock()  # the token is cached once it is had: waiting costs nothing then

    async def get_authorization_token(self, uri: str, additional_authentication_context: dict = {}) -> str:
        async with self.one_at_a_time:
            if self.failed is None:
                try:
                    return await self.tokens.get_authorization_token(uri, additional_authentication_context)
                except Exception as error:  # noqa: BLE001 - azure-identity's errors, whatever their class
                    # and a file it reads that is not there (AZURE_FEDERATED_TOKEN_FILE naming nothing, or a
                    # directory): an OSError of its own, which was an unexpected failure
                    if not (type(error).__module__.startswith("azure.") or isinstance(error, OSError)):
                        raise
                    self.failed = SignInFailed(self.target, _first_line(error))
            raise self.failed

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self.tokens.get_allowed_hosts_validator()

    async def close(self) -> None:
        credential = getattr(self.tokens, "_credentials", None)
        if credential is not None and hasattr(credential, "close"):
            await credential.close()


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _authority(cloud: Cloud) -> str:
    """The cloud's authority, or the machine's AZURE_AUTHORITY_HOST; a served emulator's is always its own origin,
    so no setting can send a sign-in for an emulator anywhere else."""
    if cloud.name == EMULATED:
        return cloud.authority
    return os.environ.get(AUTHORITY_VARIABLE) or cloud.authority


def _sign_in_options(target: Target, cloud: Cloud) -> dict:
    """azure-identity's options: the authority; for a served emulator also its CA (the environment's caBundle) and
    no instance discovery (which would ask login.microsoftonline.com about the loopback authority)."""
    if cloud.name != EMULATED:
        return {"authority": _authority(cloud)}
    options = {"authority": cloud.authority, "disable_instance_discovery": True}
    return {**options, "connection_verify": target.ca_bundle} if target.ca_bundle else options


def _credential(target: Target, cloud: Cloud):
    """azure-identity's credential; one it cannot make (a certificate file missing, workload identity's variables
    unset) is a one-line error naming the environment."""
    try:
        return _new_credential(target, cloud)
    except (OSError, ValueError) as error:
        raise SignInFailed(target, f"{type(error).__name__}: {_first_line(error)}") from None


def _new_credential(target: Target, cloud: Cloud):
    from azure.identity import aio

    kind, options = target.credential, _sign_in_options(target, cloud)
    authority = options.pop("authority")
    if kind == "default":
        return aio.DefaultAzureCredential(authority=authority)
    if kind == "client-secret":
        secret = os.environ.get(target.client_secret_env or "")
        if not secret:
            raise ConnectError(f"environment '{target.environment}': the client secret is read from the environment "
                               f"variable {target.client_secret_env or '(clientSecretEnv not set)'}, which is empty. "
                               "Fill it from the vault in the pipeline.")
        return aio.ClientSecretCredential(target.tenant_id, target.client_id, secret, authority=authority, **options)
    if kind == "certificate":
        _regular(target.certificate_path)
        return aio.CertificateCredential(target.tenant_id, target.client_id, target.certificate_path,
                                         authority=authority, **options)
    if kind == "workload-identity":
        if not os.environ.get(FEDERATED_TOKEN_VARIABLE):  # outside a pipeline: say so, not azure's ValueError
            raise SignInFailed(target, f"no federated token ({FEDERATED_TOKEN_VARIABLE} is not set)")
        return aio.WorkloadIdentityCredential(tenant_id=target.tenant_id, client_id=target.client_id,
                                              authority=authority, **options)
    raise ConnectError(f"environment '{target.environment}': unknown credential '{kind}'.")
