"""What each rule looks for. Each check yields `Hit`s; `findings.lint` grades them per environment.

Model checks read an `Application` (a configuration that passed validate); document checks read the YAML as written,
so that a key the schema refuses as unknown (a token lifetime, a secret) is still explained. Neither ever puts a
secret's value in a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..config.access import package_checks, package_name
from ..config.model import Application
from ..config.secrets import secret_shape, worth_redacting
from ..config.yamlfile import Document
from ..credentials.client_secrets import lifetime_checks
from ..escape.characters import HIDDEN

TOKEN_LIFETIME = re.compile(r"tokenlifetime|lifetimepolic|token.*(lifetime|maxage|expir|validity|ttl)|"
                            r"maxage(single|multi)factor|maxinactivetime")
SECRET = re.compile(r"secret|password|passwd|passphrase|privatekey|apikey|accesskey|signingkey|connectionstring|"
                    r"(access|refresh|id|bearer|auth|api|sas)token$")
REFERENCE = re.compile(r"(env|name|path|file|uri|url|id|ref|reference)$")  # names where a secret is, not a secret
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
PACKAGE_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Hit:
    rule: str
    document: Document
    path: tuple
    summary: str
    fix: str
    environments: tuple[str, ...]  # where the rule applies; graded at the strictest of them
    key: bool = False  # point at the key rather than its value


def application(app: Application, document: Document, environments: tuple, codes: tuple) -> Iterator[Hit]:
    """The model rules on one application: the organisation's rules validate checks too (an access package's, a
    secret's lifetime), graded here again for the environments asked for, and lint's own."""
    for rule, path, summary, fix in package_checks(app):
        yield Hit(rule, document, path, summary, fix, environments)
    checks = (_owners(app), _role_descriptions(app), _role_display_names(app), _package_names(app, document, codes),
              _audience(app), lifetime_checks(app))
    for check in checks:
        for rule, path, summary, fix in check:
            yield Hit(rule, document, path, summary, fix, environments)


def _owners(app: Application):
    if len(app.owners) < 2:
        yield ("owners.two", ("owners",), f"only {len(app.owners)} owner; the organisation requires at least two",
               "add a second owner so that the application is never left without one")


def _role_descriptions(app: Application):
    for index, role in enumerate(app.app_roles):
        if not (role.description or "").strip():
            yield ("role.description", ("appRoles", index), f"role '{role.label}' has no description",
                   "add description: what the role allows, as people read it when they request access")


def _role_display_names(app: Application):
    seen: dict[str, int] = {}
    for index, role in enumerate(app.app_roles):
        first = seen.setdefault(_folded(role.display_name), index)
        if first != index:
            yield ("display-name.duplicate", ("appRoles", index, "displayName"), f"role display name "
                   f"'{role.display_name}' is also used by appRoles[{first}]", "give each role its own display name")


def _package_names(app: Application, document: Document, codes: tuple):
    prefix = "".join(f"{code}-" for code in codes if code)
    if not prefix:
        return
    for index, role in enumerate(_list(_mapping(document.value).get("appRoles"))):
        name = _mapping(_mapping(role).get("accessPackage")).get("name")
        if not isinstance(name, str) or (name.startswith(prefix) and PACKAGE_NAME.match(name)):
            continue
        if index >= len(app.app_roles):
            return  # the file changed since it was read
        default = package_name(*codes, app.name, app.app_roles[index].display_name)
        yield ("package.naming", ("appRoles", index, "accessPackage", "name"), f"access package name '{name}' does "
               f"not follow <organisation>-<department>-<application>-<role>s", f"rename it to start with {prefix} "
               f"in lowercase letters, digits and hyphens, or remove name to use the default {default}")
    for index, package in enumerate(_list(_mapping(document.value).get("accessPackages"))):  # packages of their own
        name = _mapping(package).get("name")
        if isinstance(name, str) and not (name.startswith(prefix) and PACKAGE_NAME.match(name)):
            yield ("package.naming", ("accessPackages", index, "name"), f"access package name '{name}' does not "
                   f"follow <organisation>-<department>-<application>-<what it grants>", f"rename it to start with "
                   f"{prefix} in lowercase letters, digits and hyphens")


def _audience(app: Application):
    if app.sign_in_audience != "AzureADMyOrg":
        yield ("security.multi-tenant", ("signInAudience",), f"signInAudience {app.sign_in_audience} lets accounts "
               "outside the organisation sign in", "use AzureADMyOrg (the default) unless the security team has "
               "approved a multi-tenant application")


def duplicate_display_names(apps: list[tuple[Application, Document, tuple]]) -> Iterator[Hit]:
    """Two applications with one display name: reported on the later file, naming the first."""
    seen: dict[str, tuple[Application, Document]] = {}
    for app, document, environments in apps:
        first, first_document = seen.setdefault(_folded(app.display_name), (app, document))
        if first is not app:
            line = first_document.where(("displayName",))[0]
            yield Hit("display-name.duplicate", document, ("displayName",), f"display name '{app.display_name}' is "
                      f"also used by {first.name} ({first_document.file}:{line})",
                      "give each application its own display name", environments)


def document(document: Document, environments: tuple) -> Iterator[Hit]:
    """The document rules on one file's YAML as written: token lifetime settings and secrets, at any depth."""
    reported: list[tuple] = []
    for path, key, value in _keys(document.value, ()):
        if any(path[:len(done)] == done for done in reported):
            continue  # inside a setting already reported
        hit = _token_lifetime(document, path, key) or _secret(document, path, key, value)
        if hit:
            reported.append(path)
            yield Hit(*hit, environments, key=True)


def _token_lifetime(document: Document, path: tuple, key: str):
    if not TOKEN_LIFETIME.search(_normal(key)):
        return None
    return ("security.token-lifetime", document, path, f"'{key}' customises token lifetimes, which the "
            "organisation's guidance forbids", "remove it: keep Entra's default token lifetimes and use refresh "
            "tokens for long sessions")


def _secret(document: Document, path: tuple, key: str, value):
    if not is_secret(key, value, path):
        return None
    shape = secret_shape(value)
    what = f" (what looks like {shape})" if shape else ""
    return ("security.secret-in-file", document, path, f"'{key}' holds a secret in the file{what}; secrets live only "
            "in the vault", "remove the value and rotate the secret (it is in the repository's history); let the "
            "pipeline pass it from the vault, e.g. clientSecretEnv: IDAMCONF_CLIENT_SECRET names the variable")


def is_secret(key: str, value, path: tuple = ()) -> bool:
    """A key naming a secret with a value in it, a variable-name key (…Env) holding something else, or a value
    shaped like a secret (config/secrets.py: an Entra client secret, a private key, a JWT, a connection string)
    under any key. An application's `secrets:` list (in the file or an override) declares the client secrets
    idamconf makes and keeps in Key Vault: it holds no value itself, and what it holds is checked item by item."""
    if secret_shape(value):
        return True
    if _declared_secrets(path, value) or _rule_setting(path):
        return False
    name = _normal(key)
    if not SECRET.search(name) or isinstance(value, bool) or value in (None, "", [], {}):
        return False
    if name.endswith("env"):
        return isinstance(value, str) and not ENV_NAME.match(value)
    return not REFERENCE.search(name)


def secret_values(documents) -> set[str]:
    """Every value held under a secret key that could be a credential (config/secrets.worth_redacting: never a
    placeholder word such as `secret`), and every secret-shaped value, so the command can make sure none is ever
    printed."""
    found = set()
    for doc in documents:
        for path, key, value in _keys(doc.value, ()):
            if is_secret(key, value, path):
                found.update(part for part in map(str, _scalars(value)) if worth_redacting(part))
    return found


def _declared_secrets(path: tuple, value) -> bool:
    """The application's `secrets:` (credentials/client_secrets.py): a list of mappings, at the top of the file or
    of an environment's override."""
    return path in (("secrets",), ("overrides", *path[1:2], "secrets")) and isinstance(value, list) and \
        all(isinstance(item, dict) for item in value)


def _rule_setting(path: tuple) -> bool:
    """A rule's severity in idamconf.yaml (`environments.<env>.rules.secret.lifetime: warning`): the key is the
    rule's id, which may name a secret (`secret.lifetime`, `security.secret-in-file`), and the value a severity.
    Until session 49 setting either was itself reported as a secret in the file, an error."""
    return len(path) == 4 and path[0] == "environments" and path[2] == "rules"


def _keys(value, path: tuple, key: str = ""):
    """(path, the key it is under, value) of every value below `value`: a mapping's entries, and a list's items that
    are not themselves mappings or lists, under the list's key (a secret-shaped tag or redirect URI is found too:
    until session 46's review only mappings' values were looked at)."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield path + (name,), str(name), item
            yield from _keys(item, path + (name,), str(name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, (dict, list)):
                yield path + (index,), key, item
            yield from _keys(item, path + (index,), key)


def _scalars(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not None:
        yield value


def _normal(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _folded(name: str) -> str:
    """A name as people read it: in any case, spaces as one, and nothing that draws nothing (escape/characters.py)."""
    return " ".join(HIDDEN.sub("", name).casefold().split())


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []
