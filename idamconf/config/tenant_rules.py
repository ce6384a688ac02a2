"""What a real tenant would refuse, found before any request: Graph's documented rules on an application
(graph/uri_rules.py and graph/limits.py, which the emulator enforces too), checked against each environment the
application is in, with the tenant id and verified domains the environment declares.

Identifier URIs may name `{appId}` and `{tenantId}`; `{tenantId}` is the environment's `tenantId`, and `{appId}`
stands for the application's own id, known once it is created. A literal GUID cannot be checked (nobody knows an
app id before its create), so only these two placeholders name one. Graph checks a tenant-dependent rule only on
a URI a write adds; `validate` cannot tell which URIs a tenant already holds, so it checks them all -- stricter,
never laxer, than the tenant. It assumes Microsoft's default app-management policy is on, as Microsoft ships it.

A problem found in several environments is reported once, naming them, with a fix that names a form that works.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic
from ..graph import limits
from ..graph.uri_rules import (URI_PROBLEMS, Tenant, Uri, has_tenant_identifier, identifier_uri_count_limit,
                               identifier_uri_limit, identifier_uri_shape, identifier_uri_tenant, personal,
                               redirect_count_limit)
from .model import APP_ID, TENANT_ID, Application, Configuration
from .secrets import shown
from .yamlfile import Document

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def check(configuration: Configuration, document: Document, app: Application) -> list[Diagnostic]:
    return (_personal_accounts(document, app) + _redirect_uris(document, app) + _identifier_uri_shapes(document, app)
            + _identifier_uris_in_tenants(configuration, document, app))


def _personal_accounts(document: Document, app: Application) -> list[Diagnostic]:
    """What Graph refuses of an application personal Microsoft accounts sign in to [graph/limits.py]."""
    if not personal(app.sign_in_audience):
        return []
    problems = []
    audience = f"signInAudience {app.sign_in_audience}"
    if len(app.display_name) > limits.DISPLAY_NAME_PERSONAL:
        problems.append(document.diagnostic(("displayName",), f"is longer than {limits.DISPLAY_NAME_PERSONAL} "
                                            f"characters, Graph's limit for {audience}",
                                            f"shorten it to at most {limits.DISPLAY_NAME_PERSONAL} characters"))
    if app.access_token_version != 2:
        problems.append(document.diagnostic(("api", "requestedAccessTokenVersion"), f"Graph requires v2 access "
                                            f"tokens for {audience}", "write 2, or remove it (2 is the default here)"))
    if app.app_roles:
        problems.append(document.diagnostic(("appRoles",), f"Graph does not support app roles for {audience}",
                                            "remove appRoles, or use signInAudience AzureADMyOrg or "
                                            "AzureADMultipleOrgs"))
    return problems


def _redirect_uris(document: Document, app: Application) -> list[Diagnostic]:
    problems = []
    count, limit = len(app.web_redirect_uris) + len(app.spa_redirect_uris), redirect_count_limit(app.sign_in_audience)
    if count > limit:
        problems.append(document.diagnostic(("web",) if app.web_redirect_uris else ("spa",), f"{count} redirect URIs "
                                            f"across web and spa; Graph allows {limit} for signInAudience "
                                            f"{app.sign_in_audience}", f"keep at most {limit} redirect URIs"))
    if personal(app.sign_in_audience):
        for platform, uris in (("web", app.web_redirect_uris), ("spa", app.spa_redirect_uris)):
            for index, uri in enumerate(uris):
                if "*" in uri or "?" in uri:
                    problems.append(document.diagnostic(
                        (platform, "redirectUris", index), f"{_quoted(uri)} has a wildcard or a query string, which "
                        f"Graph refuses for signInAudience {app.sign_in_audience}", "register each exact URI, "
                        "without * or ?; pass state in the state parameter"))
    return problems


# ------------------------------------------------------------------------------------------- identifier URIs
def _identifier_uri_shapes(document: Document, app: Application) -> list[Diagnostic]:
    """Forms no tenant accepts, and placeholders other than {appId} and {tenantId}."""
    problems, audience = [], app.sign_in_audience
    count_limit = identifier_uri_count_limit(audience)
    if count_limit is not None and len(app.identifier_uris) > count_limit:
        problems.append(document.diagnostic(("identifierUris",), f"{len(app.identifier_uris)} identifier URIs; "
                                            f"Graph allows {count_limit} for signInAudience {audience}",
                                            f"keep at most {count_limit}"))
    for index, uri in enumerate(app.identifier_uris):
        unknown = _unknown_placeholders(uri)
        problem = identifier_uri_shape(_sample(uri), audience)
        if unknown:
            problems.append(document.diagnostic(("identifierUris", index), f"unknown placeholder {unknown[0]} in "
                                                f"{_quoted(uri)}", "use {appId} or {tenantId}, e.g. api://{appId}"))
        elif problem:
            summary = URI_PROBLEMS[problem].format(limit=identifier_uri_limit(audience))
            problems.append(document.diagnostic(("identifierUris", index), f"identifier URI {_quoted(uri)} {summary}",
                                                _shape_fix(problem, uri)))
    return problems


def _quoted(uri: str) -> str:
    """A URI as a message quotes it: never one shaped like a secret (a URL with a password; config/secrets.py)."""
    return shown((), uri)


def _unknown_placeholders(uri: str) -> list[str]:
    return [name for name in PLACEHOLDER.findall(uri) if name not in (APP_ID, TENANT_ID)]


def _sample(uri: str) -> str:
    """The URI as long as Graph would see it: a GUID (36 characters) for each placeholder."""
    return uri.replace(APP_ID, "0" * 36).replace(TENANT_ID, "0" * 36)


def _shape_fix(problem: str, uri: str) -> str:
    return {"trailing-slash": f"remove the trailing slash: {_quoted(uri.rstrip('/'))}",
            "wildcard": "name each URI in full, without *, e.g. api://{appId}"}.get(problem, "use api://{appId}")


def _identifier_uris_in_tenants(configuration: Configuration, document: Document, app: Application):
    found: dict[tuple, list[str]] = {}  # (index, problem) -> environments where Graph would refuse
    shaped = [(index, uri) for index, uri in enumerate(app.identifier_uris)  # (the others: _identifier_uri_shapes)
              if not (identifier_uri_shape(_sample(uri), app.sign_in_audience) or _unknown_placeholders(uri))]
    for name, environment in configuration.environments.items():
        if not app.in_environment(name):
            continue
        tenant = Tenant(environment.tenant_id or TENANT_ID, tuple(d.lower() for d in environment.verified_domains))
        for index, uri in shaped:
            problem = _tenant_problem(uri, app, environment, tenant)
            if problem:
                found.setdefault((index, problem), []).append(name)
    return [_tenant_diagnostic(configuration, document, app, index, problem, environments)
            for (index, problem), environments in found.items()]


def _tenant_problem(uri: str, app: Application, environment, tenant: Tenant) -> str | None:
    if TENANT_ID in uri and not environment.tenant_id:
        return "no-tenant-id"
    resolved = uri.replace(TENANT_ID, tenant.id)
    problem = identifier_uri_tenant(resolved, app.sign_in_audience, APP_ID, tenant)
    if problem == "unverified-host" and _signs_in_with_saml(app) and uri.lower().startswith("https://"):
        problem = None  # a SAML service provider's entity id, on its own domain (emulator/app_rules._saml)
    if problem is None and app.access_token_version != 2 and not _saml(app) and \
            not has_tenant_identifier(resolved, APP_ID, tenant):
        problem = "no-tenant-identifier"
    return problem


def _signs_in_with_saml(app: Application) -> bool:
    """Whether Graph takes an entity id on the service provider's own domain: an application in SAML mode when its
    URIs are written -- one with `sso.saml` (apply sets the mode before them), or one the file adopts (`appId`: it
    exists, in the mode it says). A new application merely claiming the mode in its settings gets its URIs before
    its service principal exists, and Graph would refuse them."""
    mode = (app.settings.get("servicePrincipal") or {}).get("preferredSingleSignOnMode")
    return app.saml is not None or (mode == "saml" and app.app_id is not None)


def _saml(app: Application) -> bool:
    """A SAML application, which the default policy's identifier-URI restriction spares (`excludeSaml`, true as
    Microsoft ships it): its file has `sso.saml` (docs/saml.md), or sets the SAML mode itself (an exported one)."""
    mode = (app.settings.get("servicePrincipal") or {}).get("preferredSingleSignOnMode")
    return app.saml is not None or mode == "saml"


def _tenant_diagnostic(configuration: Configuration, document: Document, app: Application, index: int,
                       problem: str, environments: list[str]) -> Diagnostic:
    uri = app.identifier_uris[index]
    where = f"environment{'s' if len(environments) > 1 else ''} {', '.join(environments)}"
    if problem == "no-tenant-id":
        return document.diagnostic(("identifierUris", index), f"{_quoted(uri)} names {TENANT_ID}, but {where} declare"
                                   f"{'' if len(environments) > 1 else 's'} no tenantId",
                                   f"add tenantId to {where} in idamconf.yaml, or use api://{APP_ID}")
    domains = sorted({d for name in environments for d in configuration.environments[name].verified_domains})
    summary = f"Graph would refuse identifier URI {_quoted(uri)} in {where}: it {URI_PROBLEMS[problem]}"
    if problem in ("unverified-host", "multi-tenant-host"):
        summary += f" ({'verifiedDomains: ' + ', '.join(domains) if domains else 'no verifiedDomains declared'})"
    return document.diagnostic(("identifierUris", index), summary, _working_forms(uri, problem, domains))


def _working_forms(uri: str, problem: str, domains: list[str]) -> str:
    """A fix naming forms that work in every such tenant with the default policy on."""
    name = _name_in(uri)
    forms = [f"api://{APP_ID}", f"api://{APP_ID}/{name}"] if name else [f"api://{APP_ID}"]
    forms += [f"https://{domains[0]}/{name}" if name else f"https://{domains[0]}"] if domains else []
    fix = f"use {' or '.join(forms)}"
    if problem == "unverified-host":
        fix += "; if the host's domain is verified in the tenant, add it to the environment's verifiedDomains"
    if problem == "no-tenant-identifier":
        fix += "; or, if the API accepts v2 access tokens, set api.requestedAccessTokenVersion: 2"
    return fix


def _name_in(uri: str) -> str:
    """A readable name the URI carries (its last path segment, else its host), to keep in the suggested form."""
    parsed = Uri.parse(uri)
    parts = [part for part in (*((parsed.host,) if parsed.host else ()), *parsed.segments)
             if part and not PLACEHOLDER.search(part) and not re.fullmatch(r"[0-9a-fA-F-]{36}", part)]
    return re.sub(r"[^A-Za-z0-9._~-]", "-", parts[-1]).strip("-") if parts else ""
