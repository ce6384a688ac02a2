"""Client secrets an application's file asks for, each rotated with overlap and written straight to Key Vault:

    secrets:
      - displayName: payments nightly job       # unique in the application; the tenant shows idamconf:<displayName>
        lifetimeDays: 180                       # at most 730 (rule secret.lifetime: an error unless configured)
        rotateBeforeDays: 30                    # a new secret is added this long before the current one expires
        overlapDays: 14                         # the old one stays valid this long after, then it is removed
        keyvault:
          vaultUrl: https://contoso-payments.vault.azure.net
          secretName: payments-api-client-secret

This module is the model and `validate`'s checks, each at its line and column (the vault URL: vault/urls.py); the
plan is credentials/rotation.py, the apply apply_secrets.py. A secret's value is never in the configuration, the
plan or any output: Graph returns it once, to apply, which writes it to the vault and drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config.model import Location
from ..config.yamlfile import Document, render_path
from ..diagnostics import Diagnostic
from ..graph.clouds import is_loopback
from ..vault.urls import parsed, vault_url_problem

KEY = "secrets"
KIND = "secret"
RULE = "secret.lifetime"
LONGEST_DAYS = 730  # the organisation's guidance: secrets expire within two years
MARKER = "idamconf:"  # the tenant's displayName of a secret idamconf added: idamconf:<displayName>
DEFAULTS = {"lifetimeDays": 180, "rotateBeforeDays": 30, "overlapDays": 14}


@dataclass(frozen=True)
class ClientSecret:
    display_name: str
    vault_url: str
    secret_name: str
    lifetime_days: int = DEFAULTS["lifetimeDays"]
    rotate_before_days: int = DEFAULTS["rotateBeforeDays"]
    overlap_days: int = DEFAULTS["overlapDays"]
    location: Location | None = field(default=None, compare=False)

    @property
    def vault(self) -> str:
        """Where the value goes, as plans show it (never the value)."""
        return f"{self.vault_url.rstrip('/')}/secrets/{self.secret_name}"


def client_secrets_of(raw: dict, location: Location) -> tuple[ClientSecret, ...] | None:
    """The secrets an application document declares; None when it does not say: its passwords are then left alone
    (an exported file, or one written before secrets existed, never removes them). `secrets: []` manages to none."""
    if KEY not in raw:
        return None
    made = []
    for index, entry in enumerate(raw.get(KEY) or []):
        days = {name: entry.get(name, default) for name, default in DEFAULTS.items()}
        made.append(ClientSecret(entry["displayName"], entry["keyvault"]["vaultUrl"],
                                 entry["keyvault"]["secretName"], days["lifetimeDays"], days["rotateBeforeDays"],
                                 days["overlapDays"], location.at(KEY, index)))
    return tuple(made)


def emulated(environment) -> bool:
    """An environment whose tenant is an emulator on this machine (embedded, or served on loopback)."""
    return environment.emulator or environment.credential == "emulator"


# --------------------------------------------------------------------------------------------------- validate
def check(configuration, document: Document, app) -> list[Diagnostic]:
    """Every secret of one application document: its vault, its days, names used twice. (The lifetime rule is
    graded with the organisation's others, over every environment's model: config/semantics.organisation_rules.)"""
    environments = [name for name in configuration.environments if app.in_environment(name)]
    tenants = [configuration.environments[name].graph_url for name in environments
               if not emulated(configuration.environments[name]) and configuration.environments[name].graph_url]
    problems = []
    for index, secret in enumerate(app.client_secrets or ()):
        at = (KEY, index)
        problem = vault_url_problem(secret.vault_url, tenants)
        if problem:
            problems.append(document.diagnostic(at + ("keyvault", "vaultUrl"), *problem))
        problems += _days(document, at, secret)
    return problems + _twice(document, app.client_secrets or ())


def lifetime_checks(app) -> list[tuple]:
    """(rule, path, summary, fix) for each of `app`'s secrets valid longer than the organisation allows: graded over
    the environments by validate (config/semantics.organisation_rules) and, as its other rules, by lint
    (lint/checks.py), as config.access.package_checks is for the access package rules -- so `lint -e ENV` judges
    ENV's secrets by ENV's severity alone."""
    return [found for index, secret in enumerate(app.client_secrets or ()) for found in _too_long(index, secret)]


def check_across(configuration) -> list[Diagnostic]:
    """A vault secret written by two applications, or by one in two tenants (one file without an override): each
    rotation adds a version, and a secret's readers take the newest, whoever wrote it -- one tenant's application
    would be handed the other's value. An emulator's vault is its own (embedded or served), never shared. And one
    application in one tenant (environments sharing a tenant id share its application, so its passwords) writes
    each secret to one vault secret: each environment's plan would take the other's password for a moved secret's."""
    writers: dict[tuple, dict] = {}  # (vault, secret name) -> {(file, line, column): (where, [(app, env)])}
    sinks: dict[tuple, tuple] = {}  # (app, tenant, secret) -> (its name, {vault secret: {place: (where, [env])}})
    for app in configuration.applications:
        for name, environment in configuration.environments.items():
            variant = app.for_environment(name)
            if emulated(environment) or is_loopback(environment.graph_url or "") or not variant.in_environment(name):
                continue  # (a served emulator's vaults are its own whichever credential signs in: vault/vaults.py)
            for secret in variant.client_secrets or ():
                if parsed(secret.vault_url):  # a URL validate refused is said there, and never repeated
                    where = secret.location.at(*secret.location.path, "keyvault", "secretName")
                    key = (secret.vault_url.rstrip("/"), secret.secret_name.lower())
                    place = writers.setdefault(key, {}).setdefault((where.file, where.line, where.column), (where, []))
                    place[1].append((app.name, name))
                    shown, own = sinks.setdefault((app.name, _tenant(environment, name),
                                                   secret.display_name.casefold()), (secret.display_name, {}))
                    own.setdefault(secret.vault.lower(), {}).setdefault((where.file, where.line, where.column),
                                                                (where, []))[1].append(name)
    problems = _sinks_in_one_tenant(sinks)
    for (vault, secret_name), places in writers.items():
        everyone = list(dict.fromkeys(writer for _, found in places.values() for writer in found))
        if len({(app, _tenant(configuration.environments[name], name)) for app, name in everyone}) < 2:
            continue  # one application in one tenant: its own secret
        shown = "; ".join(f"{app} in {_and([name for other, name in everyone if other == app])}"
                          for app in dict.fromkeys(app for app, _ in everyone))
        for where, _ in places.values():
            problems.append(Diagnostic(f"vault secret {secret_name} of {vault} is written by more than one "
                                       f"application or tenant ({shown}): its readers take its newest version, "
                                       "whoever wrote it", "give each application in each tenant a vault secret of "
                                       "its own (an override per environment)", where.file, where.line, where.column,
                                       render_path(where.path)))
    return problems


def _tenant(environment, name: str) -> str:
    """Which tenant an environment's objects are in: its tenant id (a GUID, in any case), else its own."""
    return (environment.tenant_id or "").lower() or f"environment {name}"


def _sinks_in_one_tenant(sinks: dict) -> list[Diagnostic]:
    problems = []
    for (app, _, _), (display, own) in sinks.items():
        if len(own) < 2 or len({env for found in own.values() for _, envs in found.values() for env in envs}) < 2:
            continue  # one vault secret for it in this tenant; or one environment naming it twice (check's _twice)
        places = [place for found in own.values() for place in found.values()]
        shown = "; ".join(f"{vault} in {_and(list(dict.fromkeys(env for _, envs in found.values() for env in envs)))}"
                          for vault, found in own.items())
        for where, _ in places:
            problems.append(Diagnostic(f"application {app} writes its secret '{display}' to more than one vault "
                                       f"secret in one tenant ({shown}): environments sharing a tenant share its "
                                       "application and its passwords, so each one's plan would take the other's "
                                       "password for a moved secret's, add one each apply and remove the other's",
                                       "give the environments that share a tenant one vault secret for it (or each "
                                       "a tenant of its own)", where.file, where.line, where.column,
                                       render_path(where.path)))
    return problems


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _days(document: Document, at: tuple, secret: ClientSecret) -> list[Diagnostic]:
    problems = []
    if secret.rotate_before_days >= secret.lifetime_days:
        problems.append(document.diagnostic(at + ("rotateBeforeDays",), f"rotateBeforeDays "
                                            f"({secret.rotate_before_days}) is not shorter than lifetimeDays "
                                            f"({secret.lifetime_days}): every plan would add a new secret",
                                            "rotate some days before expiry, e.g. rotateBeforeDays: 30"))
    if secret.overlap_days > secret.rotate_before_days:
        problems.append(document.diagnostic(at + ("overlapDays",), f"overlapDays ({secret.overlap_days}) is longer "
                                            f"than rotateBeforeDays ({secret.rotate_before_days}): the old secret "
                                            "would expire before its overlap ends",
                                            "overlap at most rotateBeforeDays"))
    return problems


def _too_long(index: int, secret: ClientSecret) -> list[tuple]:
    if secret.lifetime_days <= LONGEST_DAYS:
        return []  # within the organisation's two years
    return [(RULE, (KEY, index, "lifetimeDays"), f"a secret valid {secret.lifetime_days} days; the organisation "
             f"allows at most {LONGEST_DAYS} (two years)", f"use lifetimeDays: {LONGEST_DAYS} or less: rotation with "
             "overlap makes a short lifetime cost nothing")]


def _twice(document: Document, secrets) -> list[Diagnostic]:
    problems, names, sinks = [], {}, {}
    for index, secret in enumerate(secrets):
        for seen, key, what, path in ((names, secret.display_name.casefold(), "displayName", ("displayName",)),
                                      (sinks, (secret.vault_url.rstrip("/"), secret.secret_name.lower()),
                                       "vault secret", ("keyvault", "secretName"))):
            first = seen.setdefault(key, index)
            if first != index:
                problems.append(document.diagnostic((KEY, index) + path, f"{what} also used by "
                                                    f"{render_path((KEY, first))}",
                                                    f"give each secret its own {what}"))
    return problems
