"""Who is asking for a token: a client application proved by a secret, a certificate, or a federated token.

- A **client secret** is one the tenant's own `addPassword` made: the emulator keeps only its SHA-256 digest
  (`emulator/credentials.py`; the secret is 40 random characters, so a digest without a slow hash is enough), and
  compares digests in constant time with each current password credential of the application.
- A **client assertion** (`client_assertion_type` jwt-bearer) whose `iss` and `sub` are the client id is signed by a
  certificate in the application's `keyCredentials`, found by the header's `x5t#S256` (or `x5t`) thumbprint; its
  `aud` is the token endpoint it was sent to.
- Any other client assertion is a **federated token** (workload identity: what GitHub Actions writes to
  `AZURE_FEDERATED_TOKEN_FILE`). Its issuer, subject and audience must match one of the application's federated
  identity credentials (Entra's AADSTS700211/700213/700212). Offline there is no GitHub to fetch keys from, so the
  emulator stands in for every external issuer: a federated token must be signed with the tenant's own key
  (`idamconf emulator token --federated` makes one). A token signed by anyone else is refused.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from dataclasses import dataclass

import jwt
from cryptography import x509

from .. import certificate_keys
from ..store import Store
from . import keys, refusals

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DIGESTS = "passwordDigests"  # the emulator's own kind: never served by Graph's routes


@dataclass(frozen=True)
class Client:
    application: dict
    service_principal: dict
    acr: str  # Entra's appidacr/azpacr: "1" a secret, "2" a certificate or a federated token


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def authenticate(store: Store, form: dict, tenant: str, endpoint: str) -> Client:
    client_id = form.get("client_id") or _assertion_subject(form)
    if not client_id:
        raise refusals.missing("client_id")
    application = store.find("applications", "appId", client_id)
    if application is None:
        raise refusals.application_not_found(client_id, tenant)
    if form.get("client_secret"):
        _check_secret(store, application, form["client_secret"])
        return _client(store, application, "1", tenant)
    assertion = form.get("client_assertion")
    if not assertion or form.get("client_assertion_type") != JWT_BEARER:
        raise refusals.no_credential()
    unverified = _unverified(assertion)
    if unverified.get("iss") == unverified.get("sub") == client_id:
        keyed = {**application, "keyCredentials": certificate_keys.with_keys(
            store, application["id"], application.get("keyCredentials") or [])}
        _check_certificate_assertion(keyed, assertion, endpoint)
    else:
        _check_federated(store, application, assertion, unverified)
    return _client(store, application, "2", tenant)


def _client(store: Store, application: dict, acr: str, tenant: str) -> Client:
    service_principal = store.find("servicePrincipals", "appId", application["appId"])
    if service_principal is None:  # (inferred wording)
        raise refusals.TokenRefused("unauthorized_client", 7000229, f"The client application {application['appId']} "
                                                                    f"is missing service principal in the tenant "
                                                                    f"{tenant}.")
    if service_principal.get("accountEnabled") is False:  # "Enabled for users to sign in?" No
        raise refusals.application_disabled(application)
    return Client(application, service_principal, acr)


# ------------------------------------------------------------------------------------------------------- secrets
def _check_secret(store: Store, application: dict, secret: str) -> None:
    offered, expired = secret_digest(secret), False
    for credential in application.get("passwordCredentials") or []:
        kept = store.get(DIGESTS, credential["keyId"])
        if kept and hmac.compare_digest(kept["digest"], offered):
            if _ended(credential.get("endDateTime")):
                expired = True
                continue
            return
    raise (refusals.expired_secret if expired else refusals.invalid_secret)(application["appId"])


def _ended(end: str | None) -> bool:
    if not end:
        return False
    return datetime.datetime.fromisoformat(end.replace("Z", "+00:00")) <= datetime.datetime.now(datetime.timezone.utc)


# -------------------------------------------------------------------------------------------------- certificates
def _check_certificate_assertion(application: dict, assertion: str, endpoint: str) -> None:
    header = jwt.get_unverified_header(assertion)
    certificate = _registered_certificate(application, header)
    try:
        jwt.decode(assertion, certificate.public_key(), algorithms=["PS256", "RS256"], audience=endpoint,
                   options={"require": ["exp", "aud", "iss", "sub"]})
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError) as error:
        raise refusals.assertion_time(str(error)) from None
    except jwt.InvalidTokenError as error:
        raise refusals.bad_assertion(f"({error})") from None


def _registered_certificate(application: dict, header: dict) -> x509.Certificate:
    wanted = [(name, header[name]) for name in ("x5t#S256", "x5t") if isinstance(header.get(name), str)]
    for credential in application.get("keyCredentials") or []:
        if not credential.get("key") or credential.get("usage") != "Verify" or _ended(credential.get("endDateTime")):
            continue
        der = base64.b64decode(credential["key"])
        prints = {"x5t#S256": _b64(hashlib.sha256(der).digest()), "x5t": _b64(hashlib.sha1(der).digest())}
        if any(prints[name] == value.rstrip("=") for name, value in wanted):
            return _certificate(der)
    raise refusals.bad_assertion(f"The key was not found: no certificate of application '{application['appId']}' "
                                 "has the thumbprint in the assertion's header. (inferred wording)")


def _certificate(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return x509.load_pem_x509_certificate(der)


# ------------------------------------------------------------------------------------------------------ federated
def _check_federated(store: Store, application: dict, assertion: str, claims: dict) -> None:
    issuer, subject, audience = claims.get("iss", ""), claims.get("sub", ""), claims.get("aud", "")
    audiences = audience if isinstance(audience, list) else [audience]
    trusted = store.select("federatedIdentityCredentials", {"application": application["id"]})
    for which, matches in (("issuer", lambda c: c["issuer"] == issuer),
                           ("subject", lambda c: c["subject"] == subject),
                           ("audience", lambda c: set(c.get("audiences") or ()) & set(audiences))):
        trusted = [credential for credential in trusted if matches(credential)]
        if not trusted:
            raise refusals.no_federated_match(which, issuer, subject, ",".join(audiences))
    try:
        keys.verify(store, assertion, audience=audiences, options={"require": ["exp", "iss", "sub", "aud"]})
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError) as error:
        raise refusals.assertion_time(str(error)) from None
    except jwt.InvalidTokenError as error:
        raise refusals.bad_assertion(f"The federated token is not signed by this emulated tenant's key ({error}).") \
            from None


def _unverified(assertion: str) -> dict:
    try:
        return jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise refusals.TokenRefused("invalid_client", 50027, f"JWT token is invalid or malformed ({error}).") \
            from None


def _assertion_subject(form: dict) -> str | None:
    if form.get("client_assertion"):
        return _unverified(form["client_assertion"]).get("sub")
    return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
