"""Where a moved client secret's copy was left: the plan's warning about a vault secret idamconf no longer manages.

A file that moves a secret (another `keyvault.vaultUrl` or `secretName`) has the next apply write a new password
to the new place; the password in use is kept for the overlap (credentials/rotation.py: "no copy in NEW"), and its
copy at the old place is never touched -- nothing in the tenant or the vault says where that place was, and the
plan acts only on what the file names (docs/credentials.md, "The old place's copy is not disabled"). It stays there,
enabled, unmanaged. So each plan that keeps such a password (and so each apply) warns, in every format, that the
copy at the old place is no longer managed and how to remove it. The old place is the one the application's file
named last in the configuration's git history -- the version committed, or an earlier commit when that is the
move -- which is what was merged, not necessarily what was applied: the warning says where it read it. Without
git history, or with none naming another place, it says where to look. The old place is only ever printed (escaped
by each renderer), never acted on; a URL that is no Key Vault URL a configuration may name is not repeated.
"""

from __future__ import annotations

from pathlib import Path

from ..config import yamlfile
from ..config.overrides import laid_over
from ..credentials.client_secrets import KIND, emulated
from ..diagnostics import DiagnosticError
from ..vault.urls import SECRET_NAME, parsed
from .changed import git

DEPTH = 50  # the most commits of an application file looked at for an earlier place
NO_COPY = "no copy in "


def moved_warnings(configuration, environment: str, plan) -> tuple[str, ...]:
    """A warning for each secret of the plan whose password in use has no copy where the file names it."""
    moved = sorted({(change.application, (change.before or change.after or {}).get("displayName"))
                    for change in plan.changes if change.kind == KIND and _no_copy(change)})
    apps, settings = {app.key: app for app in configuration.applications}, configuration.environments[environment]
    return tuple(_warning(apps[name], environment, settings, shown) for name, shown in moved
                 if name in apps and shown)


def _no_copy(change) -> bool:
    return any(str((side or {}).get("status") or "").startswith(NO_COPY) for side in (change.before, change.after))


def _warning(app, environment: str, settings, shown: str) -> str:
    secret = next((s for s in app.for_environment(environment).client_secrets or ()
                   if s.display_name.casefold() == shown.casefold()), None)
    where = f"app.{app.key}.{KIND}[{shown}]"
    now = (secret.vault_url, secret.secret_name) if secret is not None else None
    earlier = _earlier_place(Path(app.location.file), environment, shown, now) if app.location else None
    if earlier is None:
        return (f"{where} has no copy in the vault secret the file names now: if the file moved it, its copy at the "
                "place the file named before (not found in this configuration's git history: look in the file's "
                "history) is no longer managed -- idamconf neither disables nor deletes it. Once its password is "
                "removed (the plan says when), disable or delete that vault secret.")
    (vault_url, secret_name), commit = earlier
    return (f"{where} moved: its copy in vault {vault_url} under the name {secret_name} (where the file put it at "
            f"commit {commit[:12]}) is no longer managed -- idamconf neither disables nor deletes it. Once its "
            f"password is removed (the plan says when), {_removal(settings, vault_url, secret_name)}.")


def _removal(settings, vault_url: str, secret_name: str) -> str:
    """How to remove the old copy: Azure's CLI for a tenant's vault; never for an emulator's, whose vault of that
    name is the emulator's own (the command would reach the real vault of that name)."""
    if settings.secret_files and emulated(settings):
        return (f"delete {secret_name}.secret and {secret_name}.keys.json from the secretFiles directory "
                f"{settings.secret_files}")
    if emulated(settings):
        return "nothing needs removing elsewhere: that vault is the emulator's own, on this machine"
    vault = parsed(vault_url)[0]
    return (f"disable it (az keyvault secret set-attributes --vault-name {vault} --name {secret_name} --enabled "
            f"false) or delete it (az keyvault secret delete --vault-name {vault} --name {secret_name}; purge it too "
            "if the file may move the secret back there)")


def _earlier_place(file: Path, environment: str, shown: str, now) -> tuple[tuple[str, str], str] | None:
    """The last place other than `now` that the committed versions of `file` gave the secret, and that commit."""
    folder = file.resolve().parent
    try:
        top = Path(git(folder, "rev-parse", "--show-toplevel", option="(a moved secret's warning)").strip())
        path = file.resolve().relative_to(top).as_posix()
        commits = git(top, "log", f"-n{DEPTH}", "--format=%H", "--", path, option="(a moved secret's warning)")
    except (DiagnosticError, ValueError):  # not in git, or no git
        return None
    for commit in commits.split():
        place = _place(_shown_at(top, commit, path), path, environment, shown)
        if place is not None and place != now and parsed(place[0]) is not None and \
                SECRET_NAME.fullmatch(place[1]):  # (history no validate checked now: printed in commands to paste)
            return place, commit
    return None


def _shown_at(top: Path, commit: str, path: str) -> str:
    try:
        return git(top, "show", f"{commit}:{path}", option="(a moved secret's warning)")
    except DiagnosticError:  # the commit that removed the file
        return ""


def _place(text: str, path: str, environment: str, shown: str) -> tuple[str, str] | None:
    """The (vaultUrl, secretName) one version of an application file gives the secret `shown` in `environment`."""
    document, _ = yamlfile.parse(text, path)
    value = document.value if document is not None else None
    if not isinstance(value, dict):
        return None
    overrides = value.get("overrides") if isinstance(value.get("overrides"), dict) else {}
    value = laid_over(value, overrides.get(environment)) if isinstance(overrides.get(environment), dict) else value
    for entry in value.get("secrets") if isinstance(value.get("secrets"), list) else ():
        vault = entry.get("keyvault") if isinstance(entry, dict) else None
        if isinstance(vault, dict) and str(entry.get("displayName")).casefold() == shown.casefold() and \
                isinstance(vault.get("vaultUrl"), str) and isinstance(vault.get("secretName"), str):
            return vault["vaultUrl"], vault["secretName"]
    return None
