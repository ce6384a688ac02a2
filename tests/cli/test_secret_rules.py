"""Client secrets' rules that tests/cli/test_client_secrets.py left open, each seen as the tenant's passwords, the
emulated vault and the plan's text (session 32's one-line mutations of them): the documented defaults of a secret
that gives only its name and vault; a vault write that fails removes the new password even when Graph's read of the
application has not caught up with it yet; a password someone added in the portal survives the sweep of a rotation."""

from __future__ import annotations

import datetime as _dt
import re

import pytest

from idamconf import clock

from idamconf.emulator.protocol import Reply
from idamconf.vault.sinks import KeyVaultSink, VaultError

from ..reliability.test_canary import add_password
from ..safety.wire import Rule, Scripted
from .harness import applications, apply, edit, faulted, idamconf, plan
from .test_client_secrets import ADDRESS, EXPENSES, passwords, vault, when

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]


@pytest.fixture(autouse=True)
def real_time(monkeypatch):
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))


def test_a_secret_without_its_days_lives_180_days_rotates_30_before_and_overlaps_14(project):
    edit(project / EXPENSES, "    lifetimeDays: 180\n    rotateBeforeDays: 30\n    overlapDays: 14\n", "")
    assert apply(project).code == 0
    [first] = passwords(project)
    assert _dt.timedelta(days=179) < when(first["endDateTime"]) - clock.now() <= _dt.timedelta(days=180)
    clock.advance(days=149)  # 31 days before it expires: nothing to do yet
    assert f"+ {ADDRESS}#next]" not in plan(project).out
    clock.advance(days=1)  # 30 days before: its successor, the old one kept 14 days
    rotating = plan(project)
    removal = (clock.now() + _dt.timedelta(days=14)).strftime("%Y-%m-%d")
    assert f"+ {ADDRESS}#next]  (create)" in rotating.out
    assert f'"{first["keyId"]} (hint {first["hint"]}), removed on or after {removal}"' in rotating.out


def test_a_failed_vault_write_removes_the_new_password_even_when_graphs_read_lags_behind(project, monkeypatch):
    """Graph's read of the application right after addPassword may come from a replica that has not seen the new
    password yet: the step removes it by the key id addPassword answered with, not only what a read finds."""
    async def refused(self, value, key_id, expires, tags):
        raise VaultError("writing secret expenses-client-secret to https://contoso-expenses.vault.azure.net failed: "
                         "Forbidden")

    stale = Rule(lambda r: r.method == "GET" and re.fullmatch(r"applications/[0-9a-f-]+", r.path) is not None
                 and "passwordCredentials" in r.query.get("$select", ""),
                 Reply(200, {"passwordCredentials": []}), times=10)
    faulted(monkeypatch, Scripted([stale]))
    monkeypatch.setattr(KeyVaultSink, "write", refused)
    result = apply(project)
    assert result.code == 1 and "the new secret was removed again" in result.err
    assert stale.times < 10  # the lagging read was made, and answered without the new password
    monkeypatch.undo()
    assert passwords(project) == [] and vault(project) == []


@pytest.mark.usefixtures("applied")
def test_a_password_added_in_the_portal_survives_a_rotation(project):
    """After a new secret is written, the step removes only passwords of that secret whose value reached nobody;
    one of another name, added out of band, is someone else's and stays."""
    import asyncio

    asyncio.run(add_password(project, applications(project)["expenses"]["id"]))
    clock.advance(days=150)  # the secret's rotation: a new one added, and the sweep after it
    result = apply(project)
    assert result.code == 0, result.err
    assert f"+ {ADDRESS}#next]: created" in result.out
    assert sorted(p["displayName"] for p in passwords(project)) == [
        "added in the portal", "idamconf:expenses web sign-in", "idamconf:expenses web sign-in"]


@pytest.mark.usefixtures("applied")
def test_a_secret_to_remove_is_shown_by_its_key_id_hint_and_expiry(project):
    """A reviewer tells which password goes by what the portal shows of it: the hint and the expiry."""
    [password] = passwords(project)
    text = (project / EXPENSES).read_text()  # the file stops naming it
    (project / EXPENSES).write_text(text[:text.index("secrets:")] + "secrets: []\n" + text[text.index("appRoles:"):])
    planned = plan(project).out
    end = when(password["endDateTime"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (f"  - {ADDRESS}#{password['keyId']}]  (destroy: not in the file)\n"
            f"      keyId       = \"{password['keyId']}\"\n"
            f"      hint        = \"{password['hint']}\"\n"
            f"      endDateTime = \"{end}\"\n") in planned


SHARED_VAULT_SECRET = """name: wordpress
displayName: WordPress Blog
owners: [alice.admin@contoso.com, grace.comms@contoso.com]
environments: [local, nle, live]
secrets:
  - displayName: nightly job
    keyvault:
      vaultUrl: https://contoso-expenses.vault.azure.net/
      secretName: Expenses-Client-Secret
"""


def test_a_vault_secret_two_tenants_or_two_applications_write_is_refused_before_any_request(project):
    """Each rotation adds a version, and a vault secret's readers take its newest: one secret written by nle's and
    live's application (one file, no override), or by two applications, hands one tenant's application the other's
    value. Emulators keep vaults of their own, so `local` shares nothing; vault URLs and names compare in any case."""
    path = project / "applications/wordpress.yaml"
    path.write_text(SHARED_VAULT_SECRET)
    result = plan(project, "-e", "live")  # graph.microsoft.com: the loopback guard fails the test on any request
    assert result.code == 1
    line = SHARED_VAULT_SECRET.splitlines().index("      secretName: Expenses-Client-Secret") + 1
    expenses = project / EXPENSES
    theirs = expenses.read_text().splitlines().index("      secretName: expenses-client-secret") + 1
    summary = ("vault secret expenses-client-secret of https://contoso-expenses.vault.azure.net is written by "
               "more than one application or tenant ({}): its readers take its newest version, whoever wrote it")
    fix = "give each application in each tenant a vault secret of its own (an override per environment)"
    assert f"{path}:{line}:19: error: secrets[0].keyvault.secretName: " + summary.format(
        "expenses in live; wordpress in nle and live") + f"\n    fix: {fix}" in result.err
    assert f"{expenses}:{theirs}:19: error: secrets[0].keyvault.secretName: " in result.err
    edit(path, "environments: [local, nle, live]", "environments: [local]")  # the emulator's vault is its own
    alone = idamconf("validate", "-C", str(project))
    assert alone.code == 0, alone.err


def test_a_refused_vault_url_written_in_two_tenants_is_said_once_without_repeating_it(project):
    """The URL validate refused is never repeated (it could hold anything): not even by the shared-secret check."""
    path = project / "applications/wordpress.yaml"
    path.write_text(SHARED_VAULT_SECRET.replace("contoso-expenses.vault.azure.net/", "contoso-blog.vault.azure.netX"))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "vaultUrl is not an Azure Key Vault URL" in result.err and "netX" not in result.err
    assert "1 error(s)" in result.err


def test_one_application_in_one_tenant_writing_two_vault_secrets_is_refused(project):
    """Two environments sharing a tenant share its application, so its passwords: with a vault secret each (an
    override per environment, as the shared-secret fix says), each one's plan takes the other's password for a
    moved secret's -- newer, so a new one added by every apply of either, and the other's removed after the overlap
    from readers still using it. Refused at each entry, before any request; one vault secret for both is accepted."""
    edit(project / "idamconf.yaml", "    tenantId: 00000000-0000-0000-0000-00000000e001\n",
         "    tenantId: 00000000-0000-0000-0000-00000000D001\n")  # nle: devl's tenant (a GUID in any case)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    expenses = project / EXPENSES
    lines = expenses.read_text().splitlines()
    devl, nle = (index + 1 for index, text in enumerate(lines)
                 if text == "          secretName: expenses-client-secret")
    summary = ("application expenses writes its secret 'expenses web sign-in' to more than one vault secret in one "
               "tenant (https://contoso-expenses-devl.vault.azure.net/secrets/expenses-client-secret in devl; "
               "https://contoso-expenses-nle.vault.azure.net/secrets/expenses-client-secret in nle)")
    for line in (devl, nle):
        assert f"{expenses}:{line}:23: error: secrets[0].keyvault.secretName: {summary}" in result.err
    assert "2 error(s)" in result.err
    edit(expenses, "https://contoso-expenses-nle.vault.azure.net", "https://contoso-expenses-devl.vault.azure.net")
    one = idamconf("validate", "-C", str(project))
    assert one.code == 0, one.err
    # Key Vault's names are one in any case: the same vault secret, written so in one environment, is still one
    text = expenses.read_text()
    at = text.index("          secretName: expenses-client-secret", text.index("  nle:\n"))
    expenses.write_text(text[:at] + text[at:].replace("expenses-client-secret", "Expenses-Client-Secret", 1))
    cased = idamconf("validate", "-C", str(project))
    assert cased.code == 0, cased.err


def test_one_environment_naming_a_secret_twice_is_said_once_as_the_name_used_twice(project):
    """Two entries of one display name, each to its own vault secret, in one environment: validate says the name is
    used twice, at the second entry, and nothing more -- the rule for environments sharing a tenant is about two
    environments, and repeating this one mistake as another would send the reader after a second."""
    (project / "applications/wordpress.yaml").write_text(
        "name: wordpress\ndisplayName: WordPress Blog\nowners: [alice.admin@contoso.com, grace.comms@contoso.com]\n"
        "environments: [live]\nsecrets:\n" + "".join(
            f"  - displayName: nightly job\n    keyvault:\n      vaultUrl: https://contoso-blog.vault.azure.net\n"
            f"      secretName: {name}\n" for name in ("blog-secret", "blog-other")))
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "secrets[1].displayName: displayName also used by secrets[0]" in result.err, result.err
    assert "in one tenant" not in result.err and "1 error(s)" in result.err, result.err
