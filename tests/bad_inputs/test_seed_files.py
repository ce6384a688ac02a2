"""A seed file that cannot be read or seeded -- not UTF-8, a YAML error, a user without a name -- is said with the
file (and line and column, where YAML knows them) and the fix, exit 1, and leaves no state behind: a new emulated
tenant is made all or nothing. Before, a seed that was not UTF-8 was an 'unexpected UnicodeDecodeError', and any
failed seed left its state file, so that the next plan, the seed fixed, skipped it and found an empty directory
("owner ... is not a user in the tenant")."""

from __future__ import annotations

import pytest

from tests.bad_inputs.test_serve_ports import free_port
from tests.cli.harness import idamconf, plan

SEED = "emulator/directory.yaml"
BROKEN = {
    "not-utf-8": (b"users:\n  - userPrincipalName: caf\xe9@contoso.com\n", ": cannot read seed file: it is not "
                  "UTF-8 text (byte 0xe9 at offset 33)"),
    "yaml-error": (b"users: [\n", ":2:1: cannot read seed file: expected the node content, but found '<stream end>'"),
    "user-without-name": (b"users:\n  - displayName: Nobody\n", ": every user needs a userPrincipalName"),
    "nested-too-deeply": (b"users: " + b"[" * 5000 + b"]" * 5000 + b"\n",  # PyYAML's composer recurses
                          ": cannot read seed file: it is nested too deeply"),
}


def _refused(result, said: str) -> None:
    shown = result.out + result.err
    assert "Traceback" not in shown and "unexpected" not in shown and "idamconf-error-" not in shown, shown
    assert result.code == 1, shown
    assert said in result.err and ("Fix: " in result.err or "fix: " in result.err), result.err


@pytest.mark.parametrize("broken", BROKEN, ids=str)
def test_a_broken_seed_of_the_environment_is_said_and_leaves_no_state(project, broken):
    content, said = BROKEN[broken]
    good = (project / SEED).read_bytes()
    (project / SEED).write_bytes(content)
    _refused(plan(project), f"{project / SEED}{said}")
    assert not (project / ".idamconf").exists()
    (project / SEED).write_bytes(good)  # fixed: the tenant is seeded, as if the broken one had never been
    fixed = plan(project)
    assert fixed.code == 0 and "is not a user in the tenant" not in fixed.err, fixed.err


@pytest.mark.parametrize("broken", BROKEN, ids=str)
def test_emulator_seed_of_a_broken_file_makes_no_state_and_changes_none(project, tmp_path, broken):
    content, said = BROKEN[broken]
    (tmp_path / "seed.yaml").write_bytes(content)
    _refused(idamconf("emulator", "seed", str(tmp_path / "seed.yaml"), "-C", str(project)),
             f"{tmp_path / 'seed.yaml'}{said}")
    assert not (project / ".idamconf").exists()
    assert idamconf("emulator", "seed", str(project / SEED), "-C", str(project)).code == 0
    before = (project / ".idamconf" / "local.db").read_bytes()
    _refused(idamconf("emulator", "seed", str(tmp_path / "seed.yaml"), "-C", str(project)), said)
    assert (project / ".idamconf" / "local.db").read_bytes() == before


def test_a_served_tenants_broken_seed_makes_no_state(tmp_path):
    (tmp_path / "seed.yaml").write_bytes(BROKEN["yaml-error"][0])
    result = idamconf("emulator", "serve", "--seed", str(tmp_path / "seed.yaml"), "--state",
                      str(tmp_path / "state" / "tenant.db"), "--port", str(free_port()))
    assert result.code == 1 and "cannot read seed file" in result.err, result.err
    assert not (tmp_path / "state").exists()
