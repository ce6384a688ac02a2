"""The claims-mapping policy that sends a SAML application's user identifier and further claims.

Graph keeps a policy's `definition` as a one-element list holding a JSON string
(resources/claimsmappingpolicy.md): `{"ClaimsMappingPolicy": {"Version": 1, "IncludeBasicClaimSet": "true",
"ClaimsSchema": [...]}}`, each entry `{"Source": "user", "ID": "objectid" | "ExtensionID": "extension_…",
"SamlClaimType": <attribute name>}`. The NameID (claim type `…/nameidentifier`) comes from the same source as the
user identifier, in the persistent format, so no part of the assertion names the user by e-mail or UPN.
The attribute's name format is kept as `SamlNameFormat` (inferred: Graph documents no such field; the portal sets
it per claim, and Entra ignores fields it does not know).

The plan compares the parsed definition, so key order and spacing in the tenant's string never show as a change.
"""

from __future__ import annotations

import json

from .settings import NAME_FORMATS, Claim, Saml

NAME_ID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
PREFIX = "idamconf SAML claims: "  # + the application's key: the stable name apply looks a policy up by


def policy_name(application: str) -> str:
    return PREFIX + application


def definition(saml: Saml) -> dict:
    identifier = saml.user_identifier
    schema = [{**_source(identifier), "SamlClaimType": NAME_ID, "SamlNameIdFormat": PERSISTENT},
              _entry(identifier)] + [_entry(claim) for claim in saml.claims]
    return {"ClaimsMappingPolicy": {"Version": 1, "IncludeBasicClaimSet": "true", "ClaimsSchema": schema}}


def _entry(claim: Claim) -> dict:
    entry = {**_source(claim), "SamlClaimType": claim.attribute}
    if claim.name_format != "unspecified":
        entry["SamlNameFormat"] = NAME_FORMATS[claim.name_format]
    return entry


def _source(claim: Claim) -> dict:
    name = claim.source.split(".", 1)[1]
    return {"Source": "user", "ExtensionID" if name.startswith("extension_") else "ID": name}


def attributes(application_or_name: str, wanted: dict | None, named: bool = False) -> dict:
    """The policy as the plan compares and shows it: its name, each claim as `<attribute> <- <source>` (what a
    reviewer reads), and the definition itself (what apply sends)."""
    return {"displayName": application_or_name if named else policy_name(application_or_name),
            "claims": shown(wanted), "definition": wanted}


def shown(wanted: dict | None) -> list[str]:
    schema = ((wanted or {}).get("ClaimsMappingPolicy") or {}).get("ClaimsSchema") or []
    lines = []
    for entry in schema if isinstance(schema, list) else []:
        source = entry.get("ID") or entry.get("ExtensionID")
        form = entry.get("SamlNameIdFormat") or entry.get("SamlNameFormat")
        lines.append(f"{entry.get('SamlClaimType')} <- {str(entry.get('Source')).lower()}.{source}"
                     + (f" ({form.rsplit(':', 1)[-1]})" if form else ""))
    return lines


def body(application: str, wanted: dict) -> dict:
    """Graph's body for the policy (a create, or a PATCH of its definition)."""
    return {"displayName": policy_name(application), "isOrganizationDefault": False,
            "definition": [json.dumps(wanted, separators=(",", ":"))]}


def parsed(policy: dict) -> dict | None:
    """A policy's definition as Graph returned it, parsed (None when it is not one JSON document)."""
    texts = policy.get("definition") or []
    try:
        return json.loads(texts[0]) if len(texts) == 1 else None
    except (TypeError, ValueError):
        return None
