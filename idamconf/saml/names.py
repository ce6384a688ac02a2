"""The names apply gives what it makes for a SAML application, each the project's and the file's own, and each
within the length Graph holds or matches: a name that would be longer is cut, and a digest of whatever made it ends
it, so that two files' names never meet. A name that fits is left as every earlier apply wrote it, so that what an
earlier apply left is still found by it."""

from __future__ import annotations

import hashlib

from ..graph import limits

BEING_MADE = " (being made)"


def fitted(whole: str, end: str, limit: int) -> str:
    """`whole` + `end` in at most `limit` characters: as it is when it fits, else cut, with `~` and 16 hexadecimal
    digits of `whole`'s SHA-256 before `end`."""
    if len(whole) + len(end) <= limit:
        return whole + end
    digest = "~" + hashlib.sha256(whole.encode()).hexdigest()[:16]
    return whole[:limit - len(digest) - len(end)] + digest + end


def unclaimed_name(project: str, name: str) -> str:
    """The display name an application is instantiated under until apply claims it: the project's and the file's
    own, so that the look-up for one an apply cut short never finds another team's application of the template
    that merely has the same display name (and takes it over). It is looked up with `eq`, which matches at most 120
    characters on directory objects (Graph's known issues, "Some limitations apply to query parameters"), and an
    application's display name holds no more (graph/limits.DISPLAY_NAME): the longest project and file names make
    150."""
    return fitted(f"idamconf:{project}:{name}", BEING_MADE, limits.DISPLAY_NAME)


def certificate_name(application: str) -> str:
    """The token-signing certificate's name (`CN=` and the subject's common name, as addTokenSigningCertificate
    takes it), by which apply knows one of its own: a common name X.509 holds (graph/limits.COMMON_NAME)."""
    return "CN=" + fitted(f"idamconf {application}", " SAML signing", limits.COMMON_NAME)
