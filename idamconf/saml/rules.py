"""What `validate` refuses in an application's `sso.saml` (and so every command, before any request), each at its
line and column, with how to fix it. The rules of the service provider's guidance come first:

- the user identifier is never e-mail or UPN based: e-mail addresses and UPNs change (marriage, a new domain), an
  object id never does -- the identifier's source must not be one of `EMAIL_OR_UPN`, and its attribute must not be
  an e-mail or UPN claim type;
- every GUID in a SAML application's file is a valid RFC 4122 value (variant 10xx, version 1 to 5): some service
  providers store it in a typed UUID column and refuse anything else;
- custom token lifetimes are refused by the schema (no such key exists) and explained by lint's
  security.token-lifetime: Entra's SAML tokens last one hour; sessions are refreshed, not lengthened.

Then Graph's own: the entity id's form (graph/uri_rules.py, as for identifier URIs), reply URLs (https, Graph's
characters), unique ACS indexes and at most one default, and a service principal setting written twice
(`servicePrincipal.loginUrl` beside `signOnUrl`…) -- the block sets those, so the file says each once.
"""

from __future__ import annotations

import re
import uuid

from ..config.secrets import strings_in
from ..config.yamlfile import Document
from ..diagnostics import Diagnostic
from ..graph.uri_rules import URI_PROBLEMS, identifier_uri_shape, redirect_uri_problem
from . import sp_metadata
from .claims import NAME_ID
from .settings import KEY, Saml

# Sources that hold an e-mail address or a UPN, as the file writes them and as Entra's claims-mapping policy names
# them (`ID`: `othermail` is the policy's name for the user's otherMails; both spellings are refused).
EMAIL_OR_UPN = {"user.mail", "user.userprincipalname", "user.othermail", "user.othermails", "user.proxyaddresses",
                "user.proxyaddress", "user.onpremisesuserprincipalname", "user.mailnickname"}
# Sources whose value never changes and is one person's only -- the object id; a synced user's immutable id and
# on-premises security identifier -- and a directory extension (user.extension_<app>_<name>: the organisation's own
# attribute, kept as it decides). Anything else can change or be shared: a display name (two John Smiths, the
# second signing in as the first), a given name, a department, a SAM account name (review, session 51: only e-mail
# and UPN sources were refused, and user.displayname as the NameID passed validate and lint).
IMMUTABLE = {"user.objectid", "user.onpremisesimmutableid", "user.onpremisessecurityidentifier"}
EMAIL_OR_UPN_CLAIMS = re.compile(r"(^|/)(e-?mail(address)?|mail|upn|userprincipalname|name)$", re.IGNORECASE)
# a whole value: `fullmatch`, never `match` with `$`, which a trailing line break would pass
SOURCE = re.compile(r"user\.([a-z0-9]+|extension_[0-9a-f]{32}_[A-Za-z0-9_]+)")
GUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
# settings of the service principal and application that sso.saml sets (surface/attributes.py's keys)
SET_BY_SAML = {("servicePrincipal", "preferredSingleSignOnMode"): "saml",
               ("servicePrincipal", "loginUrl"): "signOnUrl",
               ("servicePrincipal", "notificationEmailAddresses"): "notificationEmails",
               ("web", "logoutUrl"): "logoutUrl"}


def check(root: str, document: Document, saml: Saml | None, audience: str | None) -> list[Diagnostic]:
    if saml is None:
        return []
    return _identifier(document, saml) + _claims(document, saml) + _guids(document) + _sources(document, saml) + \
        _entity(document, saml, audience) + _replies(document, saml, audience) + _twice(document) + \
        _metadata(root, document, saml)


def _at(*path) -> tuple:
    return (*KEY, *path)


def _identifier(document: Document, saml: Saml) -> list[Diagnostic]:
    claim, problems = saml.user_identifier, []
    source = claim.source.strip().lower()
    if source in EMAIL_OR_UPN:
        problems.append(document.diagnostic(_at("userIdentifier", "source"), f"the user identifier comes from "
                                            f"{claim.source}, an e-mail address or UPN, which changes",
                                            "send the immutable object id: source: user.objectid (the default)"))
    elif source not in IMMUTABLE and not source.startswith("user.extension_"):
        problems.append(document.diagnostic(_at("userIdentifier", "source"), f"the user identifier comes from "
                                            f"{claim.source}, which can change or be shared by two people: the "
                                            "service provider would match one person's account to another",
                                            "send the immutable object id: source: user.objectid (the default), "
                                            "or user.onpremisesimmutableid"))
    if EMAIL_OR_UPN_CLAIMS.search(claim.attribute):
        problems.append(document.diagnostic(_at("userIdentifier", "attribute"), f"the user identifier's attribute "
                                            f"'{claim.attribute}' is an e-mail or UPN claim type",
                                            "use the attribute name the service provider gives for the immutable "
                                            "identifier, e.g. http://schemas.microsoft.com/identity/claims/"
                                            "objectidentifier"))
    return problems


def _claims(document: Document, saml: Saml) -> list[Diagnostic]:
    seen, problems = {saml.user_identifier.attribute: None}, []
    for index, claim in enumerate(saml.claims):
        if claim.attribute.strip().lower() == NAME_ID:  # (Entra compares claim types without regard to case)
            problems.append(document.diagnostic(_at("claims", index, "attribute"), "a claim of type nameidentifier "
                                                "would be a second NameID beside the user identifier's",
                                                "remove it: the NameID is sent from userIdentifier.source, "
                                                "persistent"))
        elif claim.attribute in seen:  # exact: SAML attribute names are case-sensitive
            problems.append(document.diagnostic(_at("claims", index, "attribute"), f"attribute '{claim.attribute}' "
                                                "is sent twice (by the user identifier or another claim)",
                                                "send each attribute once"))
        seen[claim.attribute] = index
    return problems


def _sources(document: Document, saml: Saml) -> list[Diagnostic]:
    entries = [(("userIdentifier", "source"), saml.user_identifier)]
    entries += [(("claims", index, "source"), claim) for index, claim in enumerate(saml.claims)]
    return [document.diagnostic(_at(*path), f"'{claim.source}' is not a user attribute Entra can send",
                                "use user.<property> (e.g. user.objectid, user.givenname) or a directory extension, "
                                "user.extension_<application id without dashes>_<name>")
            for path, claim in entries if not SOURCE.fullmatch(claim.source)]


def _guids(document: Document) -> list[Diagnostic]:
    """Every GUID anywhere in the file (role ids, group ids, …), at its place."""
    problems = []
    for path, text in strings_in(document.value):
        for found in GUID.findall(text):
            value = uuid.UUID(found)
            if value.variant != uuid.RFC_4122 or value.version not in (1, 2, 3, 4, 5):
                problems.append(document.diagnostic(path, f"{found} is not an RFC 4122 GUID (its variant or version "
                                                    "digits are not one RFC 4122 defines)", "use a random GUID "
                                                    "(version 4), e.g. from python -c "
                                                    "'import uuid; print(uuid.uuid4())'"))
    return problems


def _entity(document: Document, saml: Saml, audience: str | None) -> list[Diagnostic]:
    if saml.entity_id is None:
        return [] if saml.sp_metadata else [document.diagnostic(
            _at(), "sso.saml gives no entityId", "add the service provider's entityId and replyUrls, or its "
            "metadata file as spMetadata")]
    problem = identifier_uri_shape(saml.entity_id, audience)
    if problem is None:
        return []
    return [document.diagnostic(_at("entityId"), f"Graph would refuse entity id '{saml.entity_id}': it "
                                f"{URI_PROBLEMS[problem].format(limit=255)}",
                                "use the identifier the service provider gives, e.g. urn:example:sp or https://sp."
                                "example.com")]


def _replies(document: Document, saml: Saml, audience: str | None) -> list[Diagnostic]:
    problems, indexes = [], {}
    if not saml.reply_urls and saml.sp_metadata is None:
        problems.append(document.diagnostic(_at(), "sso.saml gives no replyUrls", "add the service provider's "
                                            "assertion consumer service URL under replyUrls"))
    for position, reply in enumerate(saml.reply_urls):
        problem = redirect_uri_problem(reply.url, "web", audience)
        if problem:
            problems.append(document.diagnostic(_at("replyUrls", position, "url"), f"Graph would refuse reply URL "
                                                f"'{reply.url}': it {URI_PROBLEMS[problem].format(limit=256)}",
                                                "use the https URL of the service provider's assertion consumer "
                                                "service"))
        if reply.index is not None and indexes.setdefault(reply.index, position) != position:
            problems.append(document.diagnostic(_at("replyUrls", position, "index"), f"index {reply.index} is "
                                                "given to two reply URLs", "give each reply URL its own index"))
    if sum(reply.default for reply in saml.reply_urls) > 1:
        problems.append(document.diagnostic(_at("replyUrls"), "more than one reply URL is the default",
                                            "mark one reply URL default: true"))
    return problems


def _twice(document: Document) -> list[Diagnostic]:
    return [document.diagnostic(path, f"{'.'.join(path)} is set by sso.saml", f"remove it here; sso.saml sets it"
                                f"{'' if key == 'saml' else ' (' + key + ')'}")
            for path, key in SET_BY_SAML.items() if _has(document.value, path)]


def _has(tree, path) -> bool:
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return False
        tree = tree[part]
    return True


def _metadata(root: str, document: Document, saml: Saml) -> list[Diagnostic]:
    metadata = saml.sp_metadata
    if metadata is None:
        return []
    written = [name for name in ("entityId", "replyUrls", "logoutUrl") if _has(document.value, _at(name))]
    if written:
        return [document.diagnostic(_at(written[0]), f"{written[0]} is given both here and by spMetadata",
                                    "keep one: spMetadata fills entityId, replyUrls and logoutUrl")]
    try:
        sp_metadata.read(root, metadata.file, metadata.sha256, metadata.signed)
    except sp_metadata.Refused as refusal:
        return [document.diagnostic(_at("spMetadata", "file"), refusal.summary, refusal.fix)]
    return []
