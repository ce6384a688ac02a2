"""Identifier URIs a plan gives an application that another application of the tenant already holds.

Graph keeps an application's identifier URIs unique across the tenant, compared in any case, and refuses a create or
update that would take one another application holds (400 `Request_MultipleObjectsWithSameKeyValue`, "Another
object with the same value for property identifierUris already exists."). validate finds two files declaring one
URI (config/semantics.py); this finds the rest -- another team's application holding it -- before an apply meets the
refusal half-way through a change. Only the URIs a plan adds are looked up (graph/read.identifier_uri_holders), so a
plan that adds none asks nothing more of Graph. A URI naming `{appId}` is its application's own, and never looked up.

The project's own applications holding a URI (tagged with its tag) are left out: a URI moving from one of them to
another is the configuration's own change, which validate checks across its files.
"""

from __future__ import annotations

from ..config.model import APP_ID, Configuration
from ..diagnostics import Diagnostic
from .model import RESTORE
from .placeholders import resolve_tenant_id


def added(desired: dict, current: dict) -> dict[str, list[str]]:
    """Application key -> the identifier URIs its plan gives it that it does not hold (all of them for one to create
    or to restore), but those naming `{appId}`."""
    found = {}
    for key, resource in desired.items():
        if resource.kind != "application":
            continue
        live = current.get(key)  # one in deleted items holds no URI until restored, which Graph refuses if another
        # application has taken one of them since (400 Request_MultipleObjectsWithSameKeyValue): all are looked up
        held = {uri.casefold() for uri in live.attributes.get("identifierUris") or []} \
            if live is not None and not live.ids.get(RESTORE) else set()
        new = [uri for uri in resource.attributes.get("identifierUris") or []
               if APP_ID not in uri and uri.casefold() not in held]
        if new:
            found[resource.application] = new
    return found


def held_elsewhere(configuration: Configuration, environment: str, wanted: dict[str, list[str]],
                   holders: dict[str, list[dict]]) -> list[Diagnostic]:
    """A problem for each URI of `wanted` (as `added` gives it) that an application not the project's holds
    (`holders`: URI -> the applications holding it, as Graph lists them), placed where the file writes the URI."""
    tag = configuration.tag.casefold()
    tenant_id = configuration.environments[environment].tenant_id
    problems = []
    for base in configuration.applications:
        if base.key not in wanted:
            continue
        app = base.for_environment(environment)
        written = [resolve_tenant_id(uri, tenant_id) for uri in app.identifier_uris]
        for uri in wanted[base.key]:
            others = [holder for holder in holders.get(uri, [])
                      if tag not in {t.casefold() for t in holder.get("tags") or []}]
            if not others:
                continue
            other = others[0]
            if uri in written:
                location = app.location.at("identifierUris", written.index(uri))
            elif app.saml is not None and app.saml.entity_id == uri:  # a SAML application's is its entity id
                location = app.location.at("sso", "saml", "entityId")
            else:
                location = app.location
            problems.append(Diagnostic(
                f"identifier URI '{uri}' is held by application '{other.get('displayName')}' (appId "
                f"{other.get('appId')}), which project '{configuration.project}' does not manage: Graph refuses a URI "
                "another application of the tenant holds",
                "give this application another identifier URI (api://{appId} is always its own), or have that "
                "application's owners remove the URI from it first", location.file, location.line, location.column))
    return problems
