"""The emulated tenant's token-signing key: made once, kept with the tenant's state, published as a JWKS.

Decisions:
- RSA 2048 with RS256, as Entra signs its access tokens; a client that validates Entra's tokens validates these
  the same way (a JWKS of `kty: RSA` keys with `kid`, `n`, `e`).
- The key lives in the state file's settings (`meta`), so tokens issued before a restart stay valid after it and a
  JWKS a test cached stays right; `emulator reset` (a new state) makes a new key, as a new tenant would have.
- `kid` is the key's RFC 7638 thumbprint: stable, and derived from the key alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import weakref

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..store import Store

SETTING = "identity.signingKey"
ALGORITHM = "RS256"


_LOADED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> its key, parsed once


def signing_key(store: Store) -> rsa.RSAPrivateKey:
    """The tenant's key, made the first time it is asked for."""
    if store not in _LOADED:
        with store.transaction():
            pem = store.setting(SETTING)
            if pem is None:
                pem = _new_key_pem()
                store.set_setting(SETTING, pem)
        _LOADED[store] = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    return _LOADED[store]


def new_rsa_key() -> rsa.RSAPrivateKey:
    """Every RSA key the emulator makes: this tenant's signing key, and each SAML token-signing certificate's
    (saml.py). One function, so that the test suite can hand out keys it made before (tests/conftest.py)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _new_key_pem() -> str:
    key = new_rsa_key()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def public_jwk(store: Store) -> dict:
    numbers = signing_key(store).public_key().public_numbers()
    jwk = {"e": _b64_int(numbers.e), "kty": "RSA", "n": _b64_int(numbers.n)}
    return {"kty": "RSA", "use": "sig", "kid": _thumbprint(jwk), "n": jwk["n"], "e": jwk["e"]}


def jwks(store: Store) -> dict:
    return {"keys": [public_jwk(store)]}


def sign(store: Store, claims: dict, x5t: bool = False) -> str:
    """A JWT signed with the tenant's key; with `x5t`, the header names the key by that legacy name too, as Entra's
    v1 access tokens do (the same value as `kid`: access-token-claims-reference.md)."""
    kid = public_jwk(store)["kid"]
    return jwt.encode(claims, signing_key(store), algorithm=ALGORITHM,
                      headers={"typ": "JWT", "kid": kid, **({"x5t": kid} if x5t else {})})


def verify(store: Store, token: str, **options) -> dict:
    """The claims of a token this tenant signed; PyJWT's errors (bad signature, expired, audience) otherwise."""
    return jwt.decode(token, signing_key(store).public_key(), algorithms=[ALGORITHM], **options)


def _b64_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _thumbprint(jwk: dict) -> str:
    canonical = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode("ascii")
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).decode("ascii").rstrip("=")
