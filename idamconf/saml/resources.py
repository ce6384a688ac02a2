"""A SAML application in the plan: what `sso.saml` sets on the application and its service principal, and three
resources of its own, each a step apply takes in Graph's order.

- On the application (its own resource, so the plan shows them where every URI shows): the entity id joins
  `identifierUris`, the reply URLs join `web.redirectUris`, the logout URL is `web.logoutUrl`. On the service
  principal: `preferredSingleSignOnMode: saml`, the sign-on URL as `loginUrl`, the notification e-mails.
- `app.<name>.saml`: the ACS indexes (`web.redirectUriSettings`), the default reply URL (`defaultRedirectUri`) and
  the relay state (`samlSingleSignOnSettings.relayState` of the service principal).
- `app.<name>.saml.claims_policy`: the claims-mapping policy (saml/claims.py) assigned to the service principal.
- `app.<name>.saml.signing_certificate`: the preferred token-signing certificate and its validity in years. Graph
  makes it (addTokenSigningCertificate); a change of validity makes a new one, preferred at once (the old one stays
  until removed in the portal, so a service provider that has not taken the new one yet can be switched back).
"""

from __future__ import annotations

import base64
from dataclasses import replace

from .. import clock
from ..clock import graph_time
from ..diagnostics import Diagnostic
from . import claims, sp_metadata
from .settings import ReplyUrl, Saml

KINDS = {"saml": 13, "claims_policy": 14, "signing_certificate": 15}  # plan/resources.KIND_ORDER


def resolved(root: str, saml: Saml) -> Saml:
    """`saml` with entity id, reply URLs and logout URL from the SP's metadata when it names a file; raises
    sp_metadata.Refused."""
    if saml.sp_metadata is None:
        return saml
    found = sp_metadata.read(root, saml.sp_metadata.file, saml.sp_metadata.sha256, saml.sp_metadata.signed)
    return replace(saml, entity_id=found.entity_id, logout_url=found.logout_url,
                   reply_urls=tuple(ReplyUrl(url, index, default) for url, index, default in found.reply_urls))


def desired(root: str, application: str, saml: Saml | None, address: str, attributes: dict,
            principal: dict) -> tuple[list[tuple], list[Diagnostic]]:
    """The resources of one application's `sso.saml` as (kind, address, attributes, identity, ids); the application's
    and service principal's `attributes` gain what the block sets on them."""
    if saml is None:
        return [], []
    try:
        saml = resolved(root, saml)
    except sp_metadata.Refused as refusal:  # validate read it: it changed since
        where = saml.location
        return [], [Diagnostic(refusal.summary, refusal.fix, where.file, where.line, where.column)]
    attributes["identifierUris"] = sorted({*attributes["identifierUris"], saml.entity_id})
    web = attributes["web"]
    web["redirectUris"] = sorted({*web["redirectUris"], *(reply.url for reply in saml.reply_urls)})
    web["logoutUrl"] = saml.logout_url
    principal.update(preferredSingleSignOnMode="saml", loginUrl=saml.sign_on_url,
                     notificationEmailAddresses=sorted(set(saml.notification_emails)))
    settings = {"relayState": saml.relay_state, "defaultRedirectUri": _default(saml),
                "redirectUriSettings": _indexes((reply.url, reply.index) for reply in saml.reply_urls)}
    return [("saml", f"{address}.saml", settings, "", {}),
            ("claims_policy", f"{address}.saml.claims_policy", claims.attributes(application, claims.definition(saml)),
             "", {}),
            ("signing_certificate", f"{address}.saml.signing_certificate", {"validityYears": saml.validity_years},
             "", {})], []


def _default(saml: Saml) -> str | None:
    marked = [reply.url for reply in saml.reply_urls if reply.default]
    return marked[0] if marked else None


def _indexes(pairs) -> list[dict]:
    return sorted(({"uri": uri, "index": index} for uri, index in pairs if index is not None),
                  key=lambda setting: (setting["index"], setting["uri"]))


# ------------------------------------------------------------------------------------------------------- live
def live(found: dict, address: str, ids: dict) -> list[tuple]:
    """The same resources of one application as Graph holds them; `found`: its `application` (defaultRedirectUri,
    web), `servicePrincipal` (id, samlSingleSignOnSettings, keys, preferred thumbprint) and `policies` (assigned)."""
    application, principal = found["application"], found["servicePrincipal"]
    ids = {**ids, "servicePrincipalId": principal["id"]}
    web = application.get("web") or {}
    made = [("saml", f"{address}.saml", {
        "relayState": (principal.get("samlSingleSignOnSettings") or {}).get("relayState") or None,
        "defaultRedirectUri": application.get("defaultRedirectUri") or None,
        "redirectUriSettings": _indexes((s.get("uri"), s.get("index")) for s in web.get("redirectUriSettings") or []),
    }, "", ids)]
    for policy in found["policies"][:1]:  # Graph assigns at most one claims-mapping policy to a service principal
        made.append(("claims_policy", f"{address}.saml.claims_policy",
                     claims.attributes(policy.get("displayName"), claims.parsed(policy), named=True), "",
                     {**ids, "claimsPolicyId": policy["id"]}))
    certificate = preferred(principal)
    if certificate is not None:
        made.append(("signing_certificate", f"{address}.saml.signing_certificate",
                     {"validityYears": years(certificate)}, "",
                     {**ids, "thumbprint": principal["preferredTokenSigningKeyThumbprint"].upper(),
                      "endDateTime": certificate.get("endDateTime")}))
    return made


def preferred(principal: dict) -> dict | None:
    """The public key (usage Verify) of the preferred token-signing certificate, if it is there and unexpired."""
    wanted = (principal.get("preferredTokenSigningKeyThumbprint") or "").upper()
    for key in principal.get("keyCredentials") or []:
        if key.get("usage") == "Verify" and wanted and _thumbprint(key) == wanted and not _expired(key):
            return key
    return None


def _thumbprint(key: dict) -> str | None:
    try:
        return base64.b64decode(key.get("customKeyIdentifier") or "", validate=True).hex().upper()
    except ValueError:
        return None


def _expired(key: dict) -> bool:
    return key.get("endDateTime") is not None and graph_time(key["endDateTime"]) <= clock.now()


def years(key: dict) -> int | None:
    """Whole years between a key's start and end (Graph sets the start when it makes the certificate)."""
    if not key.get("startDateTime") or not key.get("endDateTime"):
        return None
    return round((graph_time(key["endDateTime"]) - graph_time(key["startDateTime"])).days / 365.25)
