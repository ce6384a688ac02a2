"""The `sso.saml` block of an application file, as a model:

    sso:
      saml:
        entityId: urn:amazon:cognito:sp:eu-west-2_abc123    # any identifier Entra accepts: URLs, urn:…, plain names
        replyUrls:                                          # the service provider's assertion consumer services
          - {url: https://sp.example.com/saml/acs, index: 0, default: true}
        signOnUrl: https://sp.example.com/login             # omit for IdP-initiated sign-on only
        logoutUrl: https://sp.example.com/saml/logout
        relayState: /home
        userIdentifier:                                     # the immutable GUID the SP knows users by
          attribute: http://schemas.microsoft.com/identity/claims/objectidentifier   # exact: names are case-sensitive
          source: user.objectid                             # the default; or a directory extension attribute
          nameFormat: uri                                   # uri, basic or unspecified
        claims: [{attribute: givenName, source: user.givenname}]
        signingCertificate: {validityYears: 3}              # 1 to 3 (the default and Graph's most)
        notificationEmails: [idam-team@contoso.com]         # told before the signing certificate expires
        spMetadata: {file: saml/sp.xml, sha256: …}          # instead of entityId, replyUrls and logoutUrl

`None` for an application whose file has no `sso.saml`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config.model import Location

KEY = ("sso", "saml")
OBJECT_ID = "user.objectid"
OBJECT_IDENTIFIER = "http://schemas.microsoft.com/identity/claims/objectidentifier"  # Entra's own claim type for it
NAME_FORMATS = {"uri": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                "basic": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                "unspecified": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"}
MOST_YEARS = 3  # addTokenSigningCertificate: "endDateTime can be up to three years after the certificate is created"


@dataclass(frozen=True)
class ReplyUrl:
    url: str
    index: int | None = None
    default: bool = False


@dataclass(frozen=True)
class Claim:
    attribute: str  # the SAML attribute's name, exactly as the service provider expects it
    source: str  # user.<property> or user.extension_<app id without dashes>_<name>
    name_format: str = "unspecified"


@dataclass(frozen=True)
class SpMetadata:
    file: str
    sha256: str  # the service provider's signing certificate, pinned (upper-case hex)
    signed: bool = False  # whether the document itself must carry a valid signature by that certificate


@dataclass(frozen=True)
class Saml:
    entity_id: str | None
    reply_urls: tuple[ReplyUrl, ...]
    sign_on_url: str | None
    logout_url: str | None
    relay_state: str | None
    user_identifier: Claim
    claims: tuple[Claim, ...]
    validity_years: int
    notification_emails: tuple[str, ...]
    sp_metadata: SpMetadata | None
    location: Location | None = field(default=None, compare=False)


def saml_of(raw: dict, location: Location) -> Saml | None:
    block = (raw.get("sso") or {}).get("saml")
    if block is None:
        return None
    identifier = block.get("userIdentifier") or {}
    metadata = block.get("spMetadata")
    return Saml(
        entity_id=block.get("entityId"),
        reply_urls=tuple(ReplyUrl(entry["url"], entry.get("index"), bool(entry.get("default")))
                         for entry in block.get("replyUrls") or []),
        sign_on_url=block.get("signOnUrl") or None, logout_url=block.get("logoutUrl"),
        relay_state=block.get("relayState") or None,
        user_identifier=Claim(identifier.get("attribute", OBJECT_IDENTIFIER),
                              identifier.get("source", OBJECT_ID), identifier.get("nameFormat", "unspecified")),
        claims=tuple(Claim(c["attribute"], c["source"], c.get("nameFormat", "unspecified"))
                     for c in block.get("claims") or []),
        validity_years=(block.get("signingCertificate") or {}).get("validityYears", MOST_YEARS),
        notification_emails=tuple(block.get("notificationEmails") or ()),
        sp_metadata=SpMetadata(metadata["file"], thumbprint(metadata["sha256"]), bool(metadata.get("signed")))
        if metadata else None,
        location=location.at(*KEY))


def thumbprint(text: str) -> str:
    return text.replace(":", "").replace(" ", "").upper()
