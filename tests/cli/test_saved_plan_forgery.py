"""A saved plan is evidence of what was reviewed, never instructions: whatever is edited in it, apply either runs the
plan it computes itself from the configuration and the tenant, or refuses with nothing changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time

import pytest

from idamconf.emulator import Store
from idamconf.plan import signing

from .harness import applications, apply, edit, idamconf, plan

FOREIGN = {"displayName": "Another team's app", "uniqueName": "billing", "tags": ["idamconf:other-team"],
           "web": {"redirectUris": ["https://billing.contoso.com/signin"]}}


def foreign_app(project) -> dict:
    """Another project's application, made in the tenant (after the tenant was seeded by a first plan)."""
    assert plan(project).code == 0
    store = Store(project / ".idamconf" / "local.db")
    from idamconf.emulator.directory import _new_application

    with store.transaction():
        made = _new_application(store, dict(FOREIGN))
    store.close()
    return made


def saved(project, *extra) -> tuple:
    path = project.parent / "plan.json"
    result = plan(project, "--out", str(path), *extra)
    assert result.code == 0, result.err
    return path, json.loads(path.read_text())


def write(path, document) -> None:
    path.write_text(json.dumps(document, indent=1, sort_keys=True))


def apply_saved(project, path, *extra):
    return idamconf("apply", str(path), "-C", str(project), "--auto-approve", "--allow-delete", *extra)


DIFFERS = ("Saved plan differs from the plan computed now from the configuration and the tenant ({}): it was edited, "
           "or made by another idamconf. Run plan again.")


def change(document, address) -> dict:
    return next(c for c in document["plan"]["changes"] if c["address"] == address)


def test_an_added_redirect_uri_is_refused(project):
    path, document = saved(project)
    wordpress = change(document, "app.wordpress")
    wordpress["after"]["web"]["redirectUris"].append("https://attacker.example/callback")
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert "Saved plan differs from the plan computed now" in result.err and "app.wordpress" in result.err
    assert applications(project) == {}  # nothing was created, not even what the plan rightly held


@pytest.mark.usefixtures("applied")
def test_a_deletion_of_another_projects_application_by_id_is_refused(project):
    other = foreign_app(project)
    path, document = saved(project)  # no changes
    forged = {**change(document, "app.wordpress"), "action": "delete", "after": None,
              "ids": {"id": other["id"], "appId": other["appId"]}}
    document["plan"]["changes"].append({**forged, "address": "app.billing", "application": "billing"})
    document["plan"]["summary"]["destroy"] = 1
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1 and DIFFERS.format("app.billing") in result.err
    assert "billing" in applications(project)  # still there


def test_an_upsert_over_another_projects_application_by_name_is_refused(project):
    foreign_app(project)
    path, document = saved(project)
    wordpress = change(document, "app.wordpress")
    document["plan"]["changes"].append({**wordpress, "address": "app.billing", "application": "billing",
                                        "after": {**wordpress["after"], "displayName": "Hijacked"}})
    write(path, document)
    assert apply_saved(project, path).code == 1
    assert applications(project)["billing"]["displayName"] == "Another team's app"



@pytest.mark.usefixtures("applied")
def test_a_deletion_left_out_of_the_saved_plan_is_refused(project):
    """The plan a reviewer reads must hold every change apply would make: one taken out of the file (a deletion
    hidden from the review) makes apply refuse, and nothing is deleted."""
    (project / "applications/payments-api.yaml").unlink()
    path, document = saved(project)
    hidden = [c["address"] for c in document["plan"]["changes"] if c["address"].startswith("app.payments-api")]
    assert "app.payments-api" in hidden
    document["plan"]["changes"] = [c for c in document["plan"]["changes"] if c["address"] not in hidden]
    document["plan"]["deletions"] = [address for address in document["plan"]["deletions"] if address not in hidden]
    document["plan"]["summary"]["destroy"] = 0
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert "Saved plan differs from the plan computed now" in result.err and "app.payments-api" in result.err
    assert "payments-api" in applications(project)

@pytest.mark.usefixtures("applied")
def test_rewriting_the_fingerprints_and_digest_as_well_does_not_help(project):
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    path, document = saved(project)
    wordpress = change(document, "app.wordpress")
    wordpress["after"]["identifierUris"] = ["api://stolen"]
    document["fingerprints"] = {}
    document["configuration_digest"] = "0" * 64
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert applications(project)["wordpress"]["displayName"] == "WordPress Blog"


def test_a_plan_for_another_environment_is_refused_even_if_relabelled(project):
    edit(project / "idamconf.yaml", "  devl:\n", "  review:\n    emulator: true\n    seed: emulator/directory.yaml\n"
         "    tenantId: 00000000-0000-0000-0000-00000000c002\n    verifiedDomains: [contoso.com]\n  devl:\n")
    apply(project, "--env", "review")
    path, document = saved(project, "--env", "review")  # nothing to do in review
    document["plan"]["environment"] = "local"  # relabelled: apply would then choose local
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert applications(project) == {}


@pytest.mark.parametrize("damage", [lambda document: document["plan"].pop("environment"),
                                    lambda document: document.update(applications="wordpress"),
                                    lambda document: document.update(earlier_packages=[{"name": "x"}])],
                         ids=["no environment", "applications not a list", "package names not strings"])
def test_a_damaged_saved_plan_is_a_diagnostic_not_a_traceback(project, damage):
    path, document = saved(project)
    damage(document)
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert result.err.startswith(f"{path}: error: the saved plan is damaged: its parts are missing or of the wrong "
                                 "type\n    fix: make the plan again with `idamconf plan --out FILE`\n"), result.err
    assert "Traceback" not in result.err + result.out


def test_something_else_than_a_change_in_the_list_of_changes_is_refused(project):
    path, document = saved(project)
    document["plan"]["changes"].append("delete app.wordpress")
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1 and DIFFERS.format("its changes") in result.err
    assert "Traceback" not in result.err and "unexpected" not in result.err
    assert applications(project) == {}


def forged(document, count: int) -> None:
    wordpress = change(document, "app.wordpress")
    document["plan"]["changes"] += [{**wordpress, "address": f"app.forged-{n:02}", "application": f"forged-{n:02}"}
                                    for n in range(1, count + 1)]


@pytest.mark.parametrize("count, listed", [
    (10, ", ".join(f"app.forged-{n:02}" for n in range(1, 11))),
    (11, ", ".join(f"app.forged-{n:02}" for n in range(1, 11)) + " and 1 more")])
def test_many_forged_changes_are_named_ten_at_most_and_counted(project, count, listed):
    path, document = saved(project)
    forged(document, count)
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert result.err == DIFFERS.format(listed) + "\nNothing was changed.\n"
    assert applications(project) == {}


# ------------------------------------------------------------------------------------------------------- signing
KEY = "k" * 40
NOT_SIGNED = ("Saved plan is not signed, and IDAMCONF_PLAN_SIGNING_KEY is set: only plans made by a job holding the key "
              "are applied. Make the plan in the pipeline's plan job.")


GITHUB = {"GITHUB_REPOSITORY": "contoso/idam", "GITHUB_RUN_ID": "4242", "GITHUB_JOB": "plan",
          "GITHUB_WORKFLOW_REF": "contoso/idam/.github/workflows/idamconf.yml@refs/heads/main",
          "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567"}


@pytest.fixture
def signing_key(monkeypatch):
    monkeypatch.setenv(signing.KEY_VARIABLE, KEY)
    for name in signing._GITHUB:  # the run's own, when the tests run in GitHub Actions
        monkeypatch.delenv(name, raising=False)
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)


def test_a_signed_plan_applies_where_the_key_is_known(project, signing_key):
    path, document = saved(project)
    assert document["signature"]["algorithm"] == "HMAC-SHA256"
    assert document["made_by"]["github_run_id"] == "4242"
    assert KEY not in path.read_text()  # the key itself is never written
    result = apply_saved(project, path)
    assert result.code == 0, result.err
    made_at = document["made_by"]["made_at"]
    assert re.fullmatch(r"20\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\dZ", made_at)  # UTC, to the second
    assert ("Saved plan signed, signature verified; made by github_repository=contoso/idam, github_workflow_ref="
            "contoso/idam/.github/workflows/idamconf.yml@refs/heads/main, github_run_id=4242, github_job=plan, "
            f"github_sha=0123456789abcdef0123456789abcdef01234567, made_at={made_at}.\n") in result.out


def test_an_unsigned_plan_is_never_said_to_be_signed(project):
    path, document = saved(project)
    assert "signature" not in document
    result = apply_saved(project, path)
    assert result.code == 0, result.err
    assert "Saved plan signed" not in result.out and "signature" not in result.out


def test_a_signed_plans_json_report_is_one_document_and_says_nothing_else(project, signing_key):
    path, _ = saved(project)
    result = apply_saved(project, path, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["complete"] is True


def test_a_key_of_32_characters_signs_and_one_of_31_is_refused(project, monkeypatch):
    monkeypatch.setenv(signing.KEY_VARIABLE, "k" * 32)
    path, document = saved(project)
    assert document["signature"]["algorithm"] == "HMAC-SHA256"
    monkeypatch.setenv(signing.KEY_VARIABLE, "k" * 31)
    result = plan(project, "--out", str(path))
    assert result.code == 1
    assert ("error: IDAMCONF_PLAN_SIGNING_KEY is too short to sign plans (fewer than 32 characters)\n"
            "    fix: use a random key of at least 32 characters, e.g. `openssl rand -hex 32`, kept as a secret of the "
            "protected environment") in result.err


def test_a_signature_by_another_algorithm_is_no_signature(project, signing_key):
    path, document = saved(project)
    document["signature"]["algorithm"] = "none"
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1 and NOT_SIGNED in result.err
    assert applications(project) == {}


def test_a_signed_plan_whose_content_changed_is_refused(project, signing_key):
    path, document = saved(project)
    document["made_by"]["github_run_id"] = "1"  # provenance is signed too
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 1
    assert ("Saved plan's signature does not match its content: it was changed after it was made, or made with "
            "another key. Make the plan again.\nNothing was changed.") in result.err
    assert applications(project) == {}


def test_an_unsigned_plan_is_refused_where_the_key_is_set(project, monkeypatch):
    path, _ = saved(project)
    monkeypatch.setenv(signing.KEY_VARIABLE, KEY)
    result = apply_saved(project, path)
    assert result.code == 1 and NOT_SIGNED in result.err
    assert applications(project) == {}


def test_a_signed_plan_is_refused_where_the_key_is_not_set(project, signing_key, monkeypatch):
    path, _ = saved(project)
    monkeypatch.delenv(signing.KEY_VARIABLE)
    result = apply_saved(project, path)
    assert result.code == 1
    assert ("Saved plan is signed, but IDAMCONF_PLAN_SIGNING_KEY is not set here to check its signature. Set it (the "
            "protected environment's secret), or make the plan again where this apply runs.") in result.err


def test_a_plan_signed_with_another_key_is_refused(project, signing_key, monkeypatch):
    path, _ = saved(project)
    monkeypatch.setenv(signing.KEY_VARIABLE, "x" * 40)
    assert apply_saved(project, path).code == 1
    assert applications(project) == {}


def test_a_short_key_is_refused_without_printing_it(project, monkeypatch):
    monkeypatch.setenv(signing.KEY_VARIABLE, "short-secret-value")
    result = plan(project, "--out", str(project.parent / "plan.json"))
    assert result.code == 1 and "too short" in result.err
    assert "short-secret-value" not in result.err + result.out
    assert not (project.parent / "plan.json").exists()
    assert not (project / ".idamconf").exists()  # refused before the tenant was opened


def documented_signature(document: dict, key: str) -> str:
    """docs/security.md's definition, written out: HMAC-SHA256, keyed with the key's UTF-8 bytes, of the file's JSON
    without `signature`, keys sorted, no whitespace, every character beyond ASCII escaped -- any HMAC tool checks it."""
    unsigned = {name: value for name, value in document.items() if name != "signature"}
    canonical = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def test_the_signature_is_the_documented_hmac_and_a_plan_its_key_holder_signs_applies(project, signing_key):
    edit(project / "applications" / "ccms-provider-portal.yaml", "displayName: CCMS Provider Portal",
         "displayName: CCMS Provider Portal – Café")  # characters beyond ASCII are in what is signed
    path, document = saved(project)
    assert document["signature"] == {"algorithm": "HMAC-SHA256", "value": documented_signature(document, KEY)}
    document["made_by"] = {}  # a holder of the key may sign a file of its own: apply says where it was made
    document["signature"]["value"] = documented_signature(document, KEY)
    write(path, document)
    result = apply_saved(project, path)
    assert result.code == 0, result.err
    assert "Saved plan signed, signature verified; made by unknown.\n" in result.out


def test_made_at_is_utc_whatever_the_machines_time_zone(project, signing_key, monkeypatch):
    monkeypatch.setenv("TZ", "UTC-14")  # POSIX: local time 14 hours ahead of UTC (no zone database needed)
    time.tzset()
    try:
        _, document = saved(project)
    finally:
        monkeypatch.undo()
        time.tzset()
    made_at = dt.datetime.strptime(document["made_by"]["made_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(made_at.replace(tzinfo=dt.timezone.utc) - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
