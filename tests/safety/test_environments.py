"""What an environment's settings mean when idamconf connects: how fast it lets itself go (`tenantSize`: paced as
the smallest tenant, S, for Graph unless told; not paced for the embedded emulator) and which credential may be used
where (`credential: emulator` only for a loopback emulator: its fixed token must never go to another host; validate
refuses it where it is written, and connect refuses it again)."""

from __future__ import annotations

import asyncio

import pytest

from idamconf.config.load import load_configuration
from idamconf.emulator import Store
from idamconf.emulator.seed import seed_file
from idamconf.graph.connect import ConnectError, Target, connect
from idamconf.workflow import target_for
from tests.cli.harness import add_environment, applications, apply, edit, plan
from tests.emulator.conftest import serving

# Graph's resource units per 10 s for the app+tenant: tenants of under 50 users, 50-500, over 500 (Identity and
# access service limits).
UNITS_PER_10_SECONDS = {"S": 3500, "M": 5000, "L": 8000}


def budget_of(project, environment: str):
    """The budget the client for `environment` paces itself by (None: not paced): resource units per 10 s, and
    writes per 150 s."""
    return asyncio.run(connected(target_for(load_configuration(project), environment)))


async def connected(target: Target):
    async with connect(target) as client:
        budget = client.budget
        return None if budget is None else budget.quotas


def test_an_unknown_environment_is_refused_naming_those_there_are(project):
    result = plan(project, "--env", "qa")
    assert result.code == 1 and result.out == ""
    assert result.err == ("error: --env qa: unknown environment\n"  # the command line's, not idamconf.yaml's
                          "    fix: use one idamconf.yaml defines: local, devl, nle, live\n\n1 error(s), 0 warning(s).\n")
    assert not (project / ".idamconf").exists()  # no emulator opened, nothing read


def test_the_embedded_emulator_is_not_paced(project):
    assert budget_of(project, "local") is None


def test_graph_is_paced_as_the_smallest_tenant_unless_told(project):
    assert budget_of(project, "devl") == (3500, 3000)  # devl names no tenantSize


@pytest.mark.parametrize("size", ["S", "M", "L"])
def test_a_tenant_size_is_the_budget_graph_documents(project, size):
    edit(project / "idamconf.yaml", "    credential: default\n", f"    credential: default\n    tenantSize: {size}\n")
    assert budget_of(project, "devl") == (UNITS_PER_10_SECONDS[size], 3000)


def test_the_embedded_emulator_is_paced_when_asked(project):
    edit(project / "idamconf.yaml", "    seed: emulator/directory.yaml\n",
         "    seed: emulator/directory.yaml\n    tenantSize: M\n")
    assert budget_of(project, "local") == (5000, 3000)


def test_tenant_size_none_turns_pacing_off_for_graph(project):
    edit(project / "idamconf.yaml", "    credential: default\n", "    credential: default\n    tenantSize: none\n")
    assert budget_of(project, "devl") is None


@pytest.mark.parametrize("url", ["https://graph.microsoft.com/v1.0", "https://127.0.0.1.example.com/v1.0",
                                 "http://emulator.localhost.example/v1.0"])
def test_the_emulator_credential_is_refused_for_any_other_host(project, url):
    edit(project / "idamconf.yaml", "    graphUrl: https://graph.microsoft.com/v1.0\n    tenantId: "
         "00000000-0000-0000-0000-00000000d001\n    verifiedDomains: [contoso.com]\n    credential: default\n",
         f"    graphUrl: {url}\n    tenantId: 00000000-0000-0000-0000-00000000d001\n"
         "    verifiedDomains: [contoso.com]\n    credential: emulator\n")
    result = plan(project, "--env", "devl")
    assert result.code == 1
    # Refused where it is written, before anything connects (validate); the URL itself is never repeated.
    assert result.err.startswith(
        f"{project / 'idamconf.yaml'}:22:15: error: environments.devl.graphUrl: credential 'emulator' is only for an "
        "emulator on this machine, and graphUrl is not a loopback address\n"), result.err
    assert "Traceback" not in result.err and result.out == ""
    # And where the token would be sent: the client refuses to connect, should anything get past validate.
    target = Target("devl", url, credential="emulator", tenant_id="00000000-0000-0000-0000-00000000d001")
    with pytest.raises(ConnectError, match="credential 'emulator' is only for an emulator on this machine"):
        asyncio.run(connected(target))


@pytest.mark.parametrize("host,slash", [("127.0.0.1", ""), ("localhost", ""), ("127.0.0.1", "/")])
def test_the_emulator_credential_works_for_a_served_emulator_on_loopback(project, host, slash):
    store = Store(project.parent / "served.db")
    seed_file(store, project / "emulator" / "directory.yaml")
    with serving(store) as emulator:
        port = emulator.base_url.split(":")[2].split("/")[0]
        edit(project / "idamconf.yaml", "  devl:\n", f"  served:\n    graphUrl: http://{host}:{port}/v1.0{slash}\n"
             "    tenantId: 00000000-0000-0000-0000-00000000c001\n    verifiedDomains: [contoso.com]\n"
             "    credential: emulator\n  devl:\n")
        result = plan(project, "--env", "served", "--detailed-exitcode")
    assert result.code == 2, result.err
    assert result.out.startswith(  # (a trailing slash is the same Graph)
        f"Target: served — http://{host}:{port}/v1.0 (tenant 00000000-0000-0000-0000-00000000c001)")
    assert "+ app.wordpress  (create)" in result.out


def test_a_client_secret_variable_that_is_empty_stops_before_signing_in(project, monkeypatch):
    monkeypatch.delenv("IDAMCONF_TEST_SECRET", raising=False)
    edit(project / "idamconf.yaml", "    credential: default\n", "    credential: client-secret\n"
         "    clientId: 00000000-0000-0000-0000-0000000c11e0\n    clientSecretEnv: IDAMCONF_TEST_SECRET\n")
    result = plan(project, "--env", "devl")
    assert result.code == 1
    assert ("error: environment 'devl': the client secret is read from the environment variable "
            "IDAMCONF_TEST_SECRET, which is empty. Fill it from the vault in the pipeline.") in result.err
    monkeypatch.setenv("IDAMCONF_TEST_SECRET", "")
    assert "which is empty" in plan(project, "--env", "devl").err


def test_the_files_an_environment_signs_in_with_are_the_ones_it_names(project):
    """certificatePath and caBundle reach the sign-in as written: a certificate file that is missing, and a CA
    bundle that holds no certificate, are each named in a one-line error before anything is sent."""
    (project / "junk.pem").write_text("not a certificate\n")
    add_environment(project, "  served:\n    graphUrl: https://127.0.0.1:9/v1.0\n    tenantId: 00000000-0000-0000-0000-00000000c001\n"
         "    verifiedDomains: [contoso.com]\n    credential: emulator\n    caBundle: junk.pem\n"
         "  corp:\n    graphUrl: https://graph.microsoft.com/v1.0\n    tenantId: 00000000-0000-0000-0000-00000000c001\n"
         "    clientId: 00000000-0000-0000-0000-0000000c11e0\n    credential: certificate\n"
         "    certificatePath: certs/missing.pem\n")
    served = plan(project, "--env", "served")
    assert served.code == 1 and served.out == ""
    assert served.err.startswith("error: environment 'served': caBundle junk.pem cannot be read as a PEM bundle"), \
        served.err
    corp = plan(project, "--env", "corp")
    assert corp.code == 1 and corp.out == ""
    assert ("(credential certificate): FileNotFoundError: [Errno 2] No such file or directory: 'certs/missing.pem'"
            in corp.err), corp.err


def test_the_embedded_emulators_tenant_has_the_verified_domains_the_environment_declares(project):
    """Its tenant is created with the environment's verifiedDomains (examples/idamconf.yaml), beyond the seed's: an
    identifier URI on such a domain is accepted as Graph accepts one on a domain verified in the tenant."""
    settings = project / "idamconf.yaml"  # every environment's: validate checks a URI against each
    settings.write_text(settings.read_text().replace("verifiedDomains: [contoso.com]",
                                                     "verifiedDomains: [contoso.com, fabrikam.com]"))
    for path in (project / "applications").iterdir():
        path.unlink()
    (project / "applications" / "blog.yaml").write_text(
        "name: blog\ndisplayName: Fabrikam Blog\nowners: [alice.admin@contoso.com]\n"
        "identifierUris: [https://blog.fabrikam.com]\n")
    result = apply(project)
    assert result.code == 0, result.out + result.err
    assert applications(project)["blog"]["identifierUris"] == ["https://blog.fabrikam.com"]


def test_a_client_is_planned_with_the_role_its_api_has_only_in_that_environment(project):
    """Each application is planned as it is in the environment planned, also where another one names it: a role that
    an API's override adds in `local` is one a client may request there (and not a role the API lacks)."""
    api = project / "applications/payments-api.yaml"
    roles = api.read_text().split("appRoles:\n")[1]
    refund = ("  - displayName: Refund payments\n    value: Payments.Refund\n"
              "    description: Lets a daemon refund a payment.\n    allowedMemberTypes: [Application]\n")
    api.write_text(api.read_text() + "overrides:\n  local:\n    appRoles:\n"
                   + "".join(f"    {line}\n" for line in (roles + refund).splitlines()))
    (project / "applications/payroll-daemon.yaml").write_text(
        "name: payroll-daemon\ndisplayName: Payroll Daemon\ndescription: Submits and refunds payments.\n"
        "owners: [dave.finance@contoso.com, erin.security@contoso.com]\n"
        "apiPermissions:\n  - api: payments-api\n    application: [Payments.Submit]\n"
        "overrides:\n  local:\n    apiPermissions:\n      - api: payments-api\n"
        "        application: [Payments.Submit, Payments.Refund]\n")
    result = plan(project)
    assert result.code == 0 and result.err == "", result.err
    assert "+ app.payroll-daemon.permission[payments-api/application/Payments.Refund]  (create)" in result.out
