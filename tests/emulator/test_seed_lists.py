"""An emulator seed file's lists (`users`, `groups`, `directoryRoles`, `applications`: emulator/seed.LISTS) as
bad input: a value that is no list is refused with the file and what to write -- never an unexpected error (a
number was iterated: "'int' object is not iterable"), by `emulator seed` as by the embedded emulator that seeds
an environment's tenant for plan. A directory role's members are refused as a directory role's, not a group's."""

from __future__ import annotations

import pytest

from tests.cli.harness import idamconf


@pytest.mark.parametrize("name", ["users", "groups", "directoryRoles", "applications"])
def test_a_seed_list_that_is_no_list_is_refused_saying_so(project, name):
    seed = project / "bad-seed.yaml"
    seed.write_text(f"{name}: 5\n", encoding="utf-8")
    result = idamconf("emulator", "seed", str(seed), "-C", str(project))
    assert result.code == 1, result.out
    assert "unexpected" not in result.err and f"{seed}: '{name}' is a list" in result.err, result.err


def test_a_directory_roles_members_that_are_no_list_are_refused_as_the_roles(project):
    seed = project / "bad-seed.yaml"
    seed.write_text("directoryRoles:\n  - roleTemplateId: f2ef992c-3afb-46b9-b7cf-a126ee74c451\n"
                    "    displayName: Global Reader\n    members: 5\n", encoding="utf-8")
    result = idamconf("emulator", "seed", str(seed), "-C", str(project))
    assert result.code == 1, result.out
    assert "directory role 'Global Reader': members is a list of user principal names" in result.err, result.err
