"""SAML single sign-on as Graph serves it (concepts/application-saml-sso-configure-api.md):

- `POST /applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate {displayName}` -> 201 with
  `{application, servicePrincipal}` (applicationServicePrincipal): the non-gallery template, the only one emulated
  (another id: 404); the application has Entra's two enabled roles, `User` and `msiam_access`. Both carry the template id; the service principal is tagged as Entra tags a custom SAML app
  (WindowsAzureActiveDirectoryIntegratedApp, WindowsAzureActiveDirectoryCustomSingleSignOnApplication: inferred).
- `POST /servicePrincipals/{id}/addTokenSigningCertificate {displayName: "CN=…", endDateTime}` -> 200 with the
  selfSignedCertificate: a new RSA key and self-signed certificate, kept as Graph keeps it -- a `Sign` and a `Verify`
  keyCredential and a passwordCredential, all with the thumbprint as customKeyIdentifier, the Sign key and the
  password sharing a key id. `displayName` must start with `CN=`; the end is at most three calendar years on (400
  otherwise, inferred wording; until session 53, 3 x 366 days); without one, three years -- both from idamconf's
  clock. The private key stays in the emulator (kind `signingKeys`).
- `GET|POST /policies/claimsMappingPolicies`, `GET|PATCH|DELETE …/{id}`: `definition` a one-element list holding a
  JSON document with `ClaimsMappingPolicy`; `displayName` required. `GET /servicePrincipals/{id}/claimsMappingPolicies`,
  `POST …/claimsMappingPolicies/$ref`, `DELETE …/claimsMappingPolicies/{id}/$ref`: at most one per service
  principal (a second: 409, inferred), a repeated one 400 as owners'.
- `GET /{tenant}/federationmetadata/2007-06/federationmetadata.xml?appid=…` (outside /v1.0, no token, as Entra's
  login endpoint; `{tenant}` its id or a verified domain, the path in any case -- federation-metadata.md writes
  `FederationMetadata/2007-06/FederationMetadata.xml`, the SAML pages the lower-case form): the IdP metadata
  (saml/idp_metadata.py) signed by the application's preferred signing key with signxml (enveloped RSA-SHA256, the
  certificate in KeyInfo), the signature first, as the metadata schema puts it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json

from .. import clock
from ..graph import limits
from ..saml import idp_metadata
from . import certificate_keys, directory, tenant
from .entities import EntitySet, new_id
from .errors import GraphError, bad_request, not_found
from .protocol import Key, Reply, Request
from .store import Store

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
SSO_TAGS = ["WindowsAzureActiveDirectoryIntegratedApp", "WindowsAzureActiveDirectoryCustomSingleSignOnApplication"]
# Entra's two roles of a new non-gallery application (Entra docs, "Configure the role claim": "If you're using a
# custom (non-gallery) app, you see two default roles: User and msiam_access"), enabled, without a value.
DEFAULT_ROLES = [{"allowedMemberTypes": ["User"], "description": name, "displayName": name, "id": role_id,
                  "isEnabled": True, "value": None}
                 for name, role_id in (("User", "18d14569-c3bd-439b-9a66-3a2aee01d14f"),
                                       ("msiam_access", "b9632174-c057-4f7e-951b-be3adc52bfe6"))]
POLICIES = "claimsMappingPolicies"
POLICY = EntitySet(POLICIES, "microsoft.graph.claimsMappingPolicy",
                   frozenset({"id", "deletedDateTime", "definition", "description", "displayName",
                              "isOrganizationDefault"}),
                   frozenset({"definition", "description", "displayName", "isOrganizationDefault"}),
                   {"displayName": {"eq", "startswith"}, "id": {"eq", "in"}})
MOST_YEARS = 3  # serviceprincipal-addtokensigningcertificate.md: "up to three years after the certificate is created"


# ------------------------------------------------------------------------------------------------- templates
def instantiate(store: Store, request: Request, key: Key) -> Reply:
    if key.value.lower() != NON_GALLERY:
        raise not_found(key.value)
    name = directory.json_body(request).get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("Property 'displayName' is required and cannot be empty.")
    application = directory._new_application(store, {"displayName": name, "appRoles": DEFAULT_ROLES})
    application["applicationTemplateId"] = NON_GALLERY
    store.put("applications", application)
    principal = directory._new_service_principal(store, {"appId": application["appId"]}, primary=True)
    principal.update(applicationTemplateId=NON_GALLERY, tags=list(SSO_TAGS))
    store.put("servicePrincipals", principal)
    return Reply(201, {"@odata.context": f"{request.base}/$metadata#microsoft.graph.applicationServicePrincipal",
                       "application": application, "servicePrincipal": principal})


# ----------------------------------------------------------------------------------------- signing certificates
def add_token_signing_certificate(store: Store, request: Request, key: Key) -> Reply:
    principal = directory.resolve(store, "servicePrincipals", key, primary=True)
    body = directory.json_body(request)
    name, now = body.get("displayName"), clock.now().replace(microsecond=0)
    if not isinstance(name, str) or not name.startswith("CN="):
        raise bad_request("Invalid value specified for property 'displayName': it must start with 'CN='.")
    if len(name) - len("CN=") > limits.COMMON_NAME:
        raise bad_request(f"Invalid value specified for property 'displayName': a certificate's common name is at "
                          f"most {limits.COMMON_NAME} characters.")
    end = _end(body.get("endDateTime"), now)
    private, der = _self_signed(name, now, end)
    thumbprint = hashlib.sha1(der).hexdigest().upper()
    identifier = base64.b64encode(bytes.fromhex(thumbprint)).decode("ascii")
    sign_id, verify_id = new_id(), new_id()
    shared = {"customKeyIdentifier": identifier, "displayName": name, "startDateTime": _graph(now),
              "endDateTime": _graph(end), "type": "AsymmetricX509Cert"}
    verify = {**shared, "key": base64.b64encode(der).decode("ascii"), "keyId": verify_id, "usage": "Verify"}
    principal["keyCredentials"] = certificate_keys.keep(store, principal["id"], [
        *principal["keyCredentials"], {**shared, "key": None, "keyId": sign_id, "usage": "Sign"}, verify],
        principal["keyCredentials"])
    principal["passwordCredentials"] = [*principal["passwordCredentials"], {
        "customKeyIdentifier": identifier, "displayName": name, "endDateTime": _graph(end), "hint": None,
        "keyId": sign_id, "secretText": None, "startDateTime": _graph(now)}]
    store.put("servicePrincipals", principal)
    store.put("signingKeys", {"id": thumbprint, "servicePrincipal": principal["id"], "key": private}, thumbprint)
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#microsoft.graph.selfSignedCertificate",
                       **{name: value for name, value in verify.items()}, "thumbprint": thumbprint})


def _end(text, now: _dt.datetime) -> _dt.datetime:
    if text is None:  # "If not supplied, the default is three years from the time of creation."
        return clock.years_later(now, MOST_YEARS)
    try:
        end = _dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"Invalid value specified for property 'endDateTime': '{text}'.") from None
    if end.tzinfo is None or end <= now or end > clock.years_later(now, MOST_YEARS):
        raise bad_request("Invalid value specified for property 'endDateTime': a token signing certificate ends "
                          "after its creation and at most three years after it.")
    return end


def _graph(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _self_signed(name: str, start: _dt.datetime, end: _dt.datetime) -> tuple[str, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    from .identity import keys

    key = keys.new_rsa_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[3:] or "SAML")])
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                   .sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode("ascii")
    return pem, certificate.public_bytes(serialization.Encoding.DER)


# ------------------------------------------------------------------------------------ claims-mapping policies
def list_policies(store: Store, request: Request) -> Reply:
    from . import listing

    return listing.page(store, request, POLICIES, POLICY, "policies/claimsMappingPolicies")


def create_policy(store: Store, request: Request) -> Reply:
    body = _policy_body(request, creating=True)
    policy = {"id": new_id(), "deletedDateTime": None, "description": None, "isOrganizationDefault": False, **body}
    store.put(POLICIES, policy)
    return Reply(201, {"@odata.context": f"{request.base}/$metadata#policies/claimsMappingPolicies/$entity",
                       **policy})


def get_policy(store: Store, request: Request, key: Key) -> Reply:
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#policies/claimsMappingPolicies/$entity",
                       **_policy(store, key.value)})


def update_policy(store: Store, request: Request, key: Key) -> Reply:
    policy = _policy(store, key.value, primary=True)
    store.put(POLICIES, {**policy, **_policy_body(request, creating=False)})
    return Reply(204)


def delete_policy(store: Store, request: Request, key: Key) -> Reply:
    policy = _policy(store, key.value, primary=True)
    for holder in store.sources(POLICIES, policy["id"], primary=True):
        store.unlink(POLICIES, holder, policy["id"])
    store.delete(POLICIES, policy["id"])
    return Reply(204)


def _policy(store: Store, policy_id: str, primary: bool = False) -> dict:
    policy = store.get(POLICIES, policy_id.lower(), primary)
    if policy is None:
        raise not_found(policy_id)
    return policy


def _policy_body(request: Request, creating: bool) -> dict:
    body = {name: value for name, value in directory.json_body(request).items() if not name.startswith("@odata.")}
    unknown = sorted(set(body) - POLICY.writable)
    if unknown:
        raise bad_request(f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.claimsMappingPolicy'.")
    if creating and not (isinstance(body.get("displayName"), str) and body["displayName"].strip()):
        raise bad_request("Property 'displayName' is required and cannot be empty.")
    if creating or "definition" in body:
        _check_definition(body.get("definition"))
    return body


def _check_definition(definition) -> None:
    try:
        if not isinstance(definition, list) or len(definition) != 1:
            raise ValueError
        document = json.loads(definition[0])
        if not isinstance(document.get("ClaimsMappingPolicy", {}).get("ClaimsSchema", []), list):
            raise ValueError
    except (TypeError, ValueError, AttributeError):
        raise bad_request("Invalid value specified for property 'definition': one JSON document with a "
                          "ClaimsMappingPolicy is expected.") from None


def assigned_policies(store: Store, request: Request, key: Key) -> Reply:
    principal = directory.resolve(store, "servicePrincipals", key)
    policies = [store.get(POLICIES, target) for target in store.targets(POLICIES, principal["id"])]
    return Reply(200, {"@odata.context": f"{request.base}/$metadata#policies/claimsMappingPolicies",
                       "value": [policy for policy in policies if policy is not None]})


def assign_policy(store: Store, request: Request, key: Key) -> Reply:
    principal = directory.resolve(store, "servicePrincipals", key, primary=True)
    reference = directory.json_body(request).get("@odata.id")
    target = reference.rstrip("/").rsplit("/", 1)[-1].lower() if isinstance(reference, str) else ""
    _policy(store, target, primary=True)
    held = store.targets(POLICIES, principal["id"], primary=True)
    if target in held:
        raise bad_request("One or more added object references already exist for the following modified properties: "
                          "'claimsMappingPolicies'.")
    if held:
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                         "A service principal can have only one claims mapping policy assigned (inferred wording).")
    store.link(POLICIES, principal["id"], target)
    return Reply(204)


def unassign_policy(store: Store, request: Request, key: Key, member: str) -> Reply:
    principal = directory.resolve(store, "servicePrincipals", key, primary=True)
    if not store.unlink(POLICIES, principal["id"], member.lower()):
        raise not_found(member)
    return Reply(204)


# ------------------------------------------------------------------------------------------------ metadata
def federation_metadata(store: Store, segment: str, app_id: str, authority: str) -> bytes | None:
    """The signed IdP metadata of the application `app_id`, or None (not this tenant, no such application, or no
    preferred signing certificate yet). `segment` names the tenant as Entra's login paths do (tenant.named_by: its
    id or a verified domain, in any case); the app id is a GUID, read in any case too. The document names the
    tenant by its id, however the URL named it."""
    tenant_id = tenant.named_by(store, segment)
    principal = store.find("servicePrincipals", "appId", app_id.lower()) if tenant_id else None
    thumbprint = (principal or {}).get("preferredTokenSigningKeyThumbprint")
    signing = store.get("signingKeys", thumbprint.upper()) if thumbprint else None
    verify = [k for k in (principal or {}).get("keyCredentials", []) if k.get("usage") == "Verify"
              and base64.b64decode(k.get("customKeyIdentifier") or "").hex().upper() == (thumbprint or "").upper()]
    if signing is None or not verify:
        return None
    der = base64.b64decode(certificate_keys.with_keys(store, principal["id"], verify)[0]["key"])
    return idp_metadata.text(_signed(idp_metadata.document(tenant_id, authority, der), signing["key"], der))


def _signed(root, private_pem: str, der: bytes):
    """Enveloped, and first: the metadata schema's EntityDescriptor starts with its ds:Signature, before the role
    descriptors, and signxml appends the signature last unless a placeholder says where it goes."""
    from lxml import etree
    from signxml import XMLSigner

    root.insert(0, etree.Element(f"{{{idp_metadata.DS}}}Signature", Id="placeholder"))
    pem = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(der).decode() + "\n-----END CERTIFICATE-----\n"
    return XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        root, key=private_pem.encode(), cert=pem, reference_uri="#" + root.get("ID"))


_DEFAULT_POLICY = Key("id", "defaultAppManagementPolicy")
HANDLERS = {  # below servicePrincipals and applicationTemplates (emulator/app.py)
    ("POST", "applicationTemplates", ("{key}", "instantiate")): instantiate,
    ("POST", "servicePrincipals", ("{key}", "addTokenSigningCertificate")): add_token_signing_certificate,
    ("GET", "servicePrincipals", ("{key}", POLICIES)): assigned_policies,
    ("POST", "servicePrincipals", ("{key}", POLICIES, "$ref")): assign_policy,
    ("DELETE", "servicePrincipals", ("{key}", POLICIES, "{id}", "$ref")): unassign_policy,
}
POLICY_HANDLERS = {  # /policies/… (emulator/app.py: its own area, with the default app-management policy)
    ("GET", "defaultAppManagementPolicy", ()): lambda s, r: tenant.get_policy(s, r, _DEFAULT_POLICY),
    ("PATCH", "defaultAppManagementPolicy", ()): lambda s, r: tenant.patch_policy(s, r, _DEFAULT_POLICY),
    ("GET", POLICIES, ()): list_policies,
    ("POST", POLICIES, ()): create_policy,
    ("GET", POLICIES, ("{key}",)): get_policy,
    ("PATCH", POLICIES, ("{key}",)): update_policy,
    ("DELETE", POLICIES, ("{key}",)): delete_policy,
}
