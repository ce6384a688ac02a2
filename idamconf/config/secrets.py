"""What a secret looks like in a configuration file: by the key it is written under, and by its own shape.

Secrets live in the vault, never in a file; one pasted in a file is an error (lint's `security.secret-in-file`),
and no message ever repeats it. Keys tell most of them (`password:`, `clientSecret:`), but a secret can be pasted
anywhere -- a description, a redirect URI, a tag -- so values are recognised by their shape too: an Entra client
secret, a private key, a JWT (an access or ID token), a connection string with its key or password.

Shapes are what credential scanners look for, narrowly: each needs the structure of a credential (`8Q~` at its
place, three base64url parts starting `eyJ`, a PEM header, `AccountKey=` inside `;`-separated settings), so a plain
word is never one. And a word is never redacted from output because it was also written under a secret key: a
placeholder `password: secret` must not blank every "secret" in lint's own messages (it did), so only values that
could be credentials are redacted (`worth_redacting`), and only where they stand as a whole.
"""

from __future__ import annotations

import re

# Keys whose value may be a secret, or where one gets pasted by mistake (a private key in certificatePath).
SECRET_NAME = re.compile(r"secret|password|passphrase|private.?key|api.?key|token|certificate", re.IGNORECASE)
NOT_SHOWN = "the value (not shown: it may be a secret)"

_ENTRA_SECRET_CHARACTER = r"[A-Za-z0-9_~.-]"
# Each shape: (a substring it cannot be without -- a value without it is not searched at all --, the pattern).
# Every pattern starts where a lookbehind or an anchor lets it, so a long value is searched in one pass.
SECRET_SHAPES: dict[str, tuple[tuple[str, ...], re.Pattern]] = {
    # Secrets Entra ID issues for an app registration: 40 characters, the fourth a digit followed by "Q~".
    "an Entra client secret": (("Q~",), re.compile(
        rf"(?<!{_ENTRA_SECRET_CHARACTER}){_ENTRA_SECRET_CHARACTER}{{3}}[0-9]Q~{_ENTRA_SECRET_CHARACTER}{{31,34}}"
        rf"(?!{_ENTRA_SECRET_CHARACTER})")),
    "a private key": (("-----BEGIN ",), re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")),
    # A JSON Web Token: base64url header and claims (each a JSON object, so starting "eyJ"), and a signature.
    "a JWT (a token)": (("eyJ",), re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\."
                                             r"[A-Za-z0-9_-]*")),
    # Settings separated by ';' with a key or a password among them (Azure Storage, Service Bus, SQL Server...).
    "a connection string": ((";",), re.compile(r"(?i)(?:^|;)\s*(?:AccountKey|SharedAccessKey|SharedAccessSignature|"
                                               r"Password|Pwd)\s*=\s*[^;\s]+")),
    # A URL with a password in it (postgres://user:password@host).
    "a URL with a password": (("://", "@"), re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:"
                                                       r"[^/\s@]+@[^/\s@]+")),
}


def secret_shape(value) -> str | None:
    """What kind of secret `value` holds ("an Entra client secret"...), or None."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    for kind, (needed, shape) in SECRET_SHAPES.items():
        if all(part in value for part in needed) and shape.search(value):
            return kind
    return None


def secret_path(path: tuple) -> bool:
    """Whether a value sits under a key named like a secret: such a value is never repeated in a message."""
    names = [part for part in path if isinstance(part, str)]
    return bool(names) and bool(SECRET_NAME.search(names[-1]))


def shown(path: tuple, value, hidden: str = NOT_SHOWN) -> str:
    """A value as a message quotes it: in quotes, unless it is under a secret key or shaped like a secret (then
    `hidden`)."""
    return hidden if secret_path(path) or secret_shape(value) else f"'{value}'"


def worth_redacting(value: str) -> bool:
    """Whether a value found under a secret key could be a credential, and so is redacted from output if some
    message quotes it: a secret shape, or 8 characters or more that are not one plain word (a digit, a symbol, or
    16 letters and more). `secret`, `password`, `changeme` are placeholders, and also words of idamconf's own."""
    if secret_shape(value):
        return True
    return len(value) >= 8 and (not value.isalpha() or len(value) >= 16)


def redact(text: str, secrets: set[str]) -> str:
    """`text` with each of `secrets` replaced by [redacted] where it stands whole (not inside a longer word)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "[redacted]", text)
    return text


HIDDEN = "(not shown: it looks like a secret)"


def without_secrets(value):
    """`value` with each secret-shaped string in it, at any depth, replaced by `HIDDEN`; `value` itself (the same
    object) when it holds none."""
    if isinstance(value, str):
        return HIDDEN if secret_shape(value) else value
    if isinstance(value, dict):
        items = {key: without_secrets(item) for key, item in value.items()}
        return value if all(items[key] is item for key, item in value.items()) else items
    if isinstance(value, list):
        items = [without_secrets(item) for item in value]
        return value if all(new is old for new, old in zip(items, value)) else items
    return value


def strings_in(value, path: tuple = ()):
    """(path, text) of every string in a value of nested mappings and lists, at any depth."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, (*path, index))
