"""The local file sink (`secretFiles`, vault/file_sink.py) when the file system refuses: a directory that is a
file, a directory where a file goes, a full disk, permission denied, a damaged or unreadable key list. Each is one
clean error -- what failed, on which file, the idamconf.yaml line that names the directory, how to fix it -- exit 1,
no traceback; a password added whose value could not be stored is removed again (or, if Graph refuses that too, the
step says so and the next apply converges); no part of a value stays behind in a temporary file, and no value is
ever in the output."""

from __future__ import annotations

import asyncio
import datetime as _dt
import errno
import json
import os
from pathlib import Path

import pytest

from idamconf import apply_secrets, clock
from idamconf.apply_access import StepFailed
from idamconf.emulator import credentials
from idamconf.vault import file_sink
from idamconf.vault.file_sink import FileSink
from idamconf.vault.sinks import VaultError
from tests.cli.harness import apply, edit, plan
from tests.cli.test_client_secrets import ADDRESS, passwords, real_time  # noqa: F401 (real_time: a fixture)
from tests.cli.test_scenarios import converged

pytestmark = [pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")]
EXPIRES = _dt.datetime(2030, 1, 1, tzinfo=_dt.timezone.utc)
NAME = "expenses-client-secret"
CANARY = "CANARY-value-of-the-local-secret-0123456789"


@pytest.fixture
def canary(monkeypatch) -> str:
    """The value Graph returns from addPassword: looked for in every output."""
    monkeypatch.setattr(credentials, "_new_secret", lambda: CANARY)
    return CANARY


def local_files(project: Path, directory: Path) -> str:
    """The local environment's secrets go to `directory`; the idamconf.yaml position its line is shown at."""
    edit(project / "idamconf.yaml", "    seed: emulator/directory.yaml\n",
         f"    seed: emulator/directory.yaml\n    secretFiles: {directory}\n")
    line = (project / "idamconf.yaml").read_text().splitlines().index(f"    secretFiles: {directory}") + 1
    return f"secretFiles of environment 'local', {project / 'idamconf.yaml'}:{line}:18"


def clean(result, secret: str = CANARY) -> None:
    """One error, no traceback, no unexpected-error log, and no value."""
    assert result.code == 1
    assert "Traceback" not in result.err and "unexpected" not in result.err and "details in" not in result.err
    assert secret not in result.out + result.err


def test_a_secret_files_directory_that_is_a_file_fails_before_any_password_is_added(project, tmp_path, canary):
    directory = tmp_path / "secrets"
    directory.write_text("not a directory")
    named = local_files(project, directory)
    result = apply(project)
    clean(result)
    assert (f"error: {ADDRESS}#next]: making the directory of secret {NAME} ({directory}) failed: File exists ({named}); "
            f"nothing was added. Fix: {directory}, or a directory above it, is a file: move it away or point "
            "secretFiles at a directory") in result.err
    assert passwords(project) == []
    directory.unlink()  # fixed: the next apply finishes
    assert apply(project).code == 0
    converged(project)
    [password] = passwords(project)
    assert (directory / f"{NAME}.secret").read_text() == CANARY
    assert json.loads((directory / f"{NAME}.keys.json").read_text())["keyIds"] == [password["keyId"]]


def test_a_directory_where_the_value_goes_removes_the_new_password_again(project, tmp_path, canary):
    directory = tmp_path / "secrets"
    (directory / f"{NAME}.secret").mkdir(parents=True)
    named = local_files(project, directory)
    result = apply(project)
    clean(result)
    assert (f"error: {ADDRESS}#next]: writing the value of secret {NAME} ({directory / NAME}.secret) failed: Is a "
            f"directory ({named}); the new secret was removed again, so that none exists that nobody holds. Fix: "
            f"{directory / NAME}.secret is a directory where idamconf keeps a file: move it away") in result.err
    assert passwords(project) == []
    assert sorted(path.name for path in directory.iterdir()) == [f"{NAME}.secret"]  # nothing staged stays behind
    (directory / f"{NAME}.secret").rmdir()
    assert apply(project).code == 0
    converged(project)


def test_a_key_list_that_cannot_be_read_stops_the_plan_with_its_fix(project, tmp_path, canary):
    directory = tmp_path / "secrets"
    named = local_files(project, directory)
    assert apply(project).code == 0
    keys = directory / f"{NAME}.keys.json"
    keys.unlink()
    keys.mkdir()
    result = plan(project)
    clean(result)
    assert (f"error: reading the key ids of secret {NAME} ({keys}) failed: Is a directory ({named}). Fix: {keys} is "
            "a directory where idamconf keeps a file: move it away") in result.err
    keys.rmdir()
    keys.write_text('{"keyIds": "not a list"}')
    result = plan(project)
    clean(result)
    assert (f"error: reading the key ids of secret {NAME} ({keys}) failed: it is not the list of key ids idamconf "
            f"writes ({named}). Fix: delete {keys}: the next apply then adds a new secret, and removes the others "
            "once their overlap is over") in result.err
    keys.write_text("[" * 100_000 + "]" * 100_000)  # deeper than the recursion limit: the same (session 51)
    result = plan(project)
    clean(result)
    assert f"failed: it is not the list of key ids idamconf writes ({named})" in result.err
    keys.unlink()  # as the fix says
    assert "+ " + ADDRESS + "#next]  (create)" in plan(project).out


def test_a_deleted_value_file_has_the_next_apply_add_a_new_secret(project, tmp_path, canary):
    """The key list says which key ids had a copy; without the value file none has one any more, whatever the list
    says -- before, the plan took the list's word, and the secret was never written again."""
    directory = tmp_path / "secrets"
    local_files(project, directory)
    assert apply(project).code == 0
    [first] = passwords(project)
    (directory / f"{NAME}.secret").unlink()
    planned = plan(project)
    assert f"+ {ADDRESS}#next]  (create)" in planned.out and "0 to destroy" in planned.out
    assert apply(project).code == 0
    converged(project)
    [second] = [p for p in passwords(project) if p["keyId"] != first["keyId"]]
    assert json.loads((directory / f"{NAME}.keys.json").read_text())["newest"] == second["keyId"]
    assert (directory / f"{NAME}.secret").read_text() == CANARY


def test_a_refused_removal_after_a_failed_write_says_which_password_is_left_and_the_next_apply_converges(
        project, tmp_path, canary, monkeypatch):
    """The value cannot be stored, and Graph then refuses to remove the new password: a password whose value is
    stored nowhere is left, and the step says so (before, only Graph's refusal was said). The next apply adds a new
    secret (the orphan has no copy), and the first apply after the overlap removes the orphan."""
    directory = tmp_path / "secrets"
    (directory / f"{NAME}.secret").mkdir(parents=True)
    local_files(project, directory)

    async def refused(chain, key_id):
        raise StepFailed("Insufficient privileges to complete the operation.")

    monkeypatch.setattr(apply_secrets, "_remove", refused)
    result = apply(project)
    clean(result)
    [orphan] = passwords(project)
    assert (f"{ADDRESS}#next]: writing the value of secret {NAME} ({directory / NAME}.secret) failed: Is a "
            "directory") in result.err
    assert (f"; removing the new password again failed too (Insufficient privileges to complete the operation.): "
            f"password {orphan['keyId']} is left in the application with its value stored nowhere -- nobody holds "
            "it; the next apply adds a new secret and removes this one once its overlap is over (or remove it now). "
            f"Fix: {directory / NAME}.secret is a directory where idamconf keeps a file: move it away") in result.err
    monkeypatch.undo()
    monkeypatch.setattr(credentials, "_new_secret", lambda: CANARY)
    monkeypatch.setattr(clock, "_offset", _dt.timedelta(0))
    (directory / f"{NAME}.secret").rmdir()
    assert apply(project).code == 0
    converged(project)  # the orphan is kept for the overlap, like any password with no copy
    [new] = [p for p in passwords(project) if p["keyId"] != orphan["keyId"]]
    assert json.loads((directory / f"{NAME}.keys.json").read_text())["keyIds"] == [new["keyId"]]
    clock.advance(days=14, seconds=60)
    assert apply(project).code == 0
    assert [p["keyId"] for p in passwords(project)] == [new["keyId"]]
    converged(project)


# ------------------------------------------------------------------------------------- the sink on its own
def full_disk_for(monkeypatch, suffix: str) -> None:
    """Files ending `suffix` are created, but written to /dev/full: every write fails ENOSPC, as on a full disk."""
    real = os.open

    def opened(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith(suffix):
            os.close(real(path, flags, mode))
            return real("/dev/full", os.O_WRONLY)
        return real(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(file_sink.os, "open", opened)


def refused_rename_of(monkeypatch, suffix: str, code: int = errno.EACCES) -> None:
    real = os.replace

    def replaced(source, target, *args, **kwargs):
        if str(target).endswith(suffix):
            raise OSError(code, os.strerror(code), str(source), None, str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(file_sink.os, "replace", replaced)


def written_before(tmp_path) -> FileSink:
    sink = FileSink(tmp_path / "secrets", NAME, "secretFiles of environment 'local', idamconf.yaml:7:18")
    asyncio.run(sink.write("first-value", "K1", EXPIRES, {}))
    return sink


@pytest.mark.parametrize("suffix", [".secret.tmp", ".keys.json.tmp"])
def test_a_full_disk_changes_nothing_and_leaves_no_part_of_a_value(tmp_path, monkeypatch, suffix):
    sink = written_before(tmp_path)
    full_disk_for(monkeypatch, suffix)
    with pytest.raises(VaultError) as refused:
        asyncio.run(sink.write("second-value", "K2", EXPIRES, {}))
    assert "No space left on device (secretFiles of environment 'local', idamconf.yaml:7:18)" in str(refused.value)
    assert refused.value.fix == (f"free space on the disk holding {tmp_path / 'secrets'}, or point secretFiles at "
                                 "another disk")
    assert "second-value" not in str(refused.value)
    assert sorted(path.name for path in sink.directory.iterdir()) == [f"{NAME}.keys.json", f"{NAME}.secret"]
    assert sink.value_file.read_text() == "first-value" and asyncio.run(sink.key_ids()) == {"k1"}


def test_permission_denied_says_whose_permission_to_change(tmp_path, monkeypatch):
    sink = written_before(tmp_path)
    refused_rename_of(monkeypatch, ".secret")
    with pytest.raises(VaultError) as refused:
        asyncio.run(sink.write("second-value", "K2", EXPIRES, {}))
    assert str(refused.value) == (
        f"writing the value of secret {NAME} ({sink.value_file}) failed: Permission denied (secretFiles of "
        f"environment 'local', idamconf.yaml:7:18). Fix: let this user read and write {sink.directory}, or point "
        "secretFiles at a directory of its own")
    assert sorted(path.name for path in sink.directory.iterdir()) == [f"{NAME}.keys.json", f"{NAME}.secret"]
    assert sink.value_file.read_text() == "first-value" and asyncio.run(sink.key_ids()) == {"k1"}


def test_a_key_list_that_cannot_take_its_place_leaves_no_value_counted_as_held(tmp_path, monkeypatch):
    """The value is in place, the key list cannot follow: the value (of a password apply now removes) goes too, so
    that no list counts the old key ids as held by a file that holds another value -- the next plan adds a new
    secret. Before, the file kept the removed password's value while the list still named the old one as held."""
    sink = written_before(tmp_path)
    refused_rename_of(monkeypatch, ".keys.json", errno.EROFS)
    with pytest.raises(VaultError) as refused:
        asyncio.run(sink.write("second-value", "K2", EXPIRES, {}))
    assert refused.value.summary.startswith(f"writing the key ids of secret {NAME} ({sink.keys_file}) failed: "
                                            "Read-only file system")
    assert refused.value.fix == f"{sink.directory} is on a read-only file system: point secretFiles at a writable " \
                                "directory"
    assert not sink.value_file.exists() and asyncio.run(sink.key_ids()) == set()
    assert sorted(path.name for path in sink.directory.iterdir()) == [f"{NAME}.keys.json"]


def test_a_damaged_key_list_is_named_and_never_overwritten(tmp_path):
    sink = FileSink(tmp_path / "secrets", NAME)
    sink.keys_file.parent.mkdir()
    sink.keys_file.write_text("{not json")
    with pytest.raises(VaultError) as refused:
        asyncio.run(sink.write("value", "K1", EXPIRES, {}))
    assert str(refused.value) == (f"reading the key ids of secret {NAME} ({sink.keys_file}) failed: it is not the "
                                  f"list of key ids idamconf writes. Fix: delete {sink.keys_file}: the next apply "
                                  "then adds a new secret, and removes the others once their overlap is over")
    assert sink.keys_file.read_text() == "{not json" and not sink.value_file.exists()


def test_a_directory_in_the_way_of_a_staged_file_is_the_one_named(tmp_path):
    """The fix names the path that is a directory: here the staged file's, not the value file's."""
    sink = written_before(tmp_path)
    (sink.directory / f"{NAME}.secret.tmp").mkdir()
    with pytest.raises(VaultError) as refused:
        asyncio.run(sink.write("second-value", "K2", EXPIRES, {}))
    assert refused.value.fix == f"{sink.directory / NAME}.secret.tmp is a directory where idamconf keeps a file: " \
                                "move it away"
    assert sink.value_file.read_text() == "first-value" and asyncio.run(sink.key_ids()) == {"k1"}
