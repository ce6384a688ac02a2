"""A package of its own written in an environment's override (config/overrides.py) has its grants of other
applications' roles checked as the file's own packages are (config/packages.check_across): an application of the
configuration, in that environment, holding the role. Such a grant was left unchecked -- validate passed, and the
plan of that environment dropped the grant without a word (plan/packages._desired_grant: "reported by validate")."""

from __future__ import annotations

from pathlib import Path

import yaml

from idamconf.config import load

PEOPLE = ["alice.admin@contoso.com", "bob.ops@contoso.com"]
PROJECT = """project: overrides
defaultEnvironment: local
defaults: {organisation: eucs, department: idam, catalog: Shared}
environments:
  local: {emulator: true, tenantId: 00000000-0000-0000-0000-00000000c001, verifiedDomains: [contoso.com]}
  devl: {graphUrl: https://graph.microsoft.com/v1.0, tenantId: 00000000-0000-0000-0000-00000000d001,
         verifiedDomains: [contoso.com]}
  live: {graphUrl: https://graph.microsoft.com/v1.0, tenantId: 00000000-0000-0000-0000-00000000e001,
         verifiedDomains: [contoso.com]}
"""


def package(*grants: dict) -> dict:
    return {"name": "own-1", "approvers": PEOPLE, "grants": list(grants),
            "accessReview": {"reviewers": PEOPLE, "frequencyDays": 180}}


def application(name: str, **more) -> dict:
    return {"name": name, "displayName": f"{name} app", "owners": PEOPLE[:1],
            "appRoles": [{"displayName": "Reader", "value": "Reader"}], **more}


def errors_of(tmp_path: Path, *files: dict) -> list[str]:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "idamconf.yaml").write_text(PROJECT)
    (tmp_path / "applications").mkdir()
    for value in files:
        (tmp_path / "applications" / f"{value['name']}.yaml").write_text(yaml.safe_dump(value, sort_keys=False))
    return [problem.render() for problem in load.read(tmp_path)[1] if problem.severity == "error"]


def test_an_overrides_grant_of_an_application_not_in_the_configuration_is_an_error(tmp_path):
    found = errors_of(tmp_path, application("alpha", accessPackages=[package({"role": "Reader"})], overrides={
        "devl": {"accessPackages": [package({"application": "nobody", "role": "Reader"})]}}))
    assert len(found) == 1 and "no application named 'nobody' in this configuration" in found[0], found
    text = (tmp_path / "applications" / "alpha.yaml").read_text().splitlines()
    line = next(number for number, written in enumerate(text, 1) if "application: nobody" in written)
    assert f"alpha.yaml:{line}:" in found[0], found  # the override's line


def test_an_overrides_grant_is_checked_in_its_environment_against_the_application_there(tmp_path):
    beta = application("beta", environments=["local"])
    found = errors_of(tmp_path, beta, application("alpha", accessPackages=[package({"role": "Reader"})], overrides={
        "devl": {"accessPackages": [package({"application": "beta", "role": "Writer"})]}}))
    assert len(found) == 1 and "application beta is not in environment devl, where" in found[0], found
    beta = application("beta", overrides={"devl": {"appRoles": [{"displayName": "Writer", "value": "Writer"}]}})
    found = errors_of(tmp_path / "again", beta, application("alpha", overrides={"devl": {"accessPackages": [package(
        {"application": "beta", "role": "Writer"}, {"application": "beta", "role": "Nope"})]}}))
    assert len(found) == 1 and "application beta has no role 'Nope'" in found[0], found  # Writer: beta's in devl


def test_an_override_leaving_the_packages_alone_says_each_problem_once(tmp_path):
    beta = application("beta", environments=["local"])
    found = errors_of(tmp_path, beta, application("alpha", accessPackages=[package(
        {"application": "beta", "role": "Reader"})], overrides={"devl": {"displayName": "alpha (devl)"}}))
    assert len(found) == 1 and "application beta is not in environment devl, live" in found[0], found


def test_people_assigned_a_role_an_overrides_package_grants_is_an_error(tmp_path):
    """Entitlement management grants and removes people's assignments of a role a package grants, in the
    environment the package is in: the file cannot assign people that role there (config/packages.py)."""
    beta = application("beta", assignments=[{"role": "Reader", "users": PEOPLE[:1]}])
    found = errors_of(tmp_path, beta, application("alpha", overrides={
        "devl": {"accessPackages": [package({"application": "beta", "role": "Reader"})]}}))
    assert len(found) == 1 and "people get role 'Reader' through an access package" in found[0], found
    beta = application("beta", overrides={"devl": {"assignments": [{"role": "Reader", "users": PEOPLE[:1]}]}})
    found = errors_of(tmp_path / "again", beta, application("alpha", accessPackages=[package(
        {"application": "beta", "role": "Reader"})]))
    text = (tmp_path / "again" / "applications" / "beta.yaml").read_text().splitlines()
    line = max(number for number, written in enumerate(text, 1) if "alice.admin" in written)  # (the last: users)
    assert len(found) == 1 and f"beta.yaml:{line}:" in found[0], found  # the override's line
