"""What `validate` keeps for a pull request's plan (config/known_files.py): a file found there is not parsed again,
and what the plan gets -- the configuration, its digest, every problem and its position -- is what reading every
file gets, whatever changed since: the file, idamconf.yaml, a file it names, idamconf's own code."""

from __future__ import annotations

import json

import pytest

from idamconf.config import application, known_files, load, semantics, yamlfile
from idamconf.diagnostics import errors
from tests.cli.harness import edit

WORDPRESS = "applications/wordpress.yaml"


def entries(path) -> tuple[str, dict]:
    """The cache file's first line, and its entries: a file's sha256 (hex) -> (what its checks found is kept, its
    value, its summary and findings as written)."""
    head, *lines = path.read_text().splitlines()
    return head, {line[:64]: (line[65] == "1", json.loads(line[67:].split("\t", 2)[2]), line[67:].rpartition("\t")[0])
                  for line in lines}


def written(path, head: str, kept: dict) -> None:
    path.write_text("\n".join([head, *(f"{digest} {int(checked)} {summary}\t{json.dumps(value)}"
                                       for digest, (checked, value, summary) in kept.items())]) + "\n")


def validated(project) -> known_files.Known:
    """validate's read of `project` (which keeps the files), and what it kept."""
    configuration, problems = load.read(project, keep=True)
    assert configuration is not None and not errors(problems)
    return known_files.load(project)


@pytest.fixture
def parsed(monkeypatch) -> list:
    """The application files parsed from here on, by the name shown."""
    seen = []
    original = yamlfile.load_with_digest

    def counted(path, shown):
        if "applications" in shown:
            seen.append(shown)
        return original(path, shown)

    monkeypatch.setattr(yamlfile, "load_with_digest", counted)
    monkeypatch.setattr(application, "processes_for", lambda files: 1)  # (counted in this process)
    return seen


def same_either_way(project, known) -> list:
    """Read with what validate kept and without it: the same configuration, digest and problems (rendered, so
    with their lines); the problems."""
    plain, plain_problems = load.read(project)
    cached, cached_problems = load.read(project, known=known)
    assert cached == plain and (cached and cached.digest) == (plain and plain.digest)
    assert [p.render() for p in cached_problems] == [p.render() for p in plain_problems]
    return cached_problems


def test_only_the_files_changed_since_validate_are_parsed(project, parsed):
    known = validated(project)
    path = project / WORDPRESS
    path.write_text(path.read_text().replace("WordPress", "Word Press"))
    parsed.clear()
    configuration, problems = load.read(project, known=known)
    assert [name.rsplit("/", 1)[-1] for name in parsed] == ["wordpress.yaml"]
    assert not errors(problems)
    assert any(app.display_name.startswith("Word Press") for app in configuration.applications)
    same_either_way(project, known)


def test_a_problem_across_files_involving_a_kept_file_is_found_and_placed(project):
    known = validated(project)
    (project / "applications/wordpress-copy.yaml").write_text((project / WORDPRESS).read_text())
    problems = same_either_way(project, known)
    assert any("application name 'wordpress' is already used in" in p.summary and "wordpress-copy.yaml:" in p.summary
               and p.file.endswith("wordpress.yaml") and p.line > 0 for p in problems), problems


def test_a_kept_files_own_checks_run_again_under_another_idamconf_yaml(project):
    known = validated(project)
    path = project / "idamconf.yaml"
    path.write_text(path.read_text().replace("  devl:\n", "  development:\n"))  # hr-self-service names devl
    problems = same_either_way(project, known)
    assert any("hr-self-service.yaml" in p.file and "devl" in p.summary for p in errors(problems))


def test_a_file_a_kept_file_names_is_read_every_time(project):
    known = validated(project)
    (project / "images/orders-portal.png").unlink()
    problems = same_either_way(project, known)
    assert any("orders-portal.yaml" in p.file and "images/orders-portal.png" in p.summary for p in errors(problems))


def test_a_certificate_a_kept_file_pins_is_read_every_time(project):
    from tests.cli.test_certificates import DER, certificate, pin

    pin(project, certificate()[0])
    known = validated(project)
    (project / "certificates/blog.cer").write_bytes(certificate()[0].public_bytes(DER))  # another one since
    problems = same_either_way(project, known)
    assert any("wordpress.yaml" in p.file and "certificates" in p.path for p in errors(problems)), problems


def test_files_whose_checks_read_more_than_the_file_are_never_kept_as_checked(project):
    validated(project)
    _, kept = entries(project / known_files.FILE)
    by_name = {app.name: app for app in load.load_configuration(project).applications}
    outside = {name for name, app in by_name.items() if not semantics.self_contained(app)}
    assert {"orders-portal", "pui", "ccms-provider-portal"} <= outside  # a logo, SAML
    digests = {app.name: (project / app.location.file).read_bytes() for app in by_name.values()}
    import hashlib

    checked = {name for name, content in digests.items() if kept[hashlib.sha256(content).hexdigest()][0]}
    assert checked and not checked & outside
    assert len(kept) == len(by_name)


def test_what_another_version_of_idamconf_kept_is_not_used(project, monkeypatch):
    validated(project)
    monkeypatch.setattr(known_files, "_CODE", ["another version's digest"])
    assert known_files.load(project) is None


@pytest.mark.parametrize("damage", [b"", b"{\"format\": 2", b"[1, 2]", b"{\"format\": 1, \"code\": \"\", \"project\": \"\"}"])
def test_a_damaged_file_is_only_not_used(project, damage):
    validated(project)
    (project / known_files.FILE).write_bytes(damage)
    assert known_files.load(project) is None


@pytest.mark.parametrize("error", ["in a file", "across files"])
def test_an_invalid_configuration_keeps_nothing(project, error):
    path = project / WORDPRESS
    if error == "in a file":
        path.write_text(path.read_text().replace("displayName:", "displayname:", 1))
    else:  # every file valid on its own; the name used twice
        (project / "applications/wordpress-again.yaml").write_text(path.read_text())
    _, problems = load.read(project, keep=True)
    assert errors(problems)
    assert not (project / known_files.FILE).exists()


def test_a_cache_directory_that_is_a_link_is_not_written_through(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".idamconf").mkdir()
    (project / known_files.FILE.parent).symlink_to(elsewhere, target_is_directory=True)
    configuration, problems = load.read(project, keep=True)
    assert configuration is not None and not errors(problems)
    assert list(elsewhere.iterdir()) == []


def test_a_value_json_would_change_is_not_kept():
    assert known_files.encoded({"name": "a", "tags": ["x"], "n": 1.5, "b": True, "z": None}) is not None
    assert known_files.encoded({1: "a number as a key"}) is None
    assert known_files.encoded({"x": float("nan")}) is None


@pytest.mark.parametrize("forged", [5, {"name": "wordpress"}, ["a", "list"]])
def test_a_kept_value_the_model_cannot_take_is_read_from_its_file(project, forged):
    validated(project)
    path = project / known_files.FILE
    head, kept = entries(path)
    written(path, head, {digest: (checked, forged, summary) for digest, (checked, _, summary) in kept.items()})
    problems = same_either_way(project, known_files.load(project))
    assert not errors(problems)


def test_a_cache_that_is_not_a_regular_file_is_not_read(project):
    import os

    (project / known_files.FILE).parent.mkdir(parents=True)
    os.mkfifo(project / known_files.FILE)  # opening it to read would wait for a writer
    assert known_files.load(project) is None


def test_a_temporary_file_left_behind_does_not_stop_the_next_save(project):
    import os

    validated(project)
    (project / known_files.FILE).unlink()
    leftover = (project / known_files.FILE).with_name(f".{known_files.FILE.name}.{os.getpid()}")
    leftover.write_text("from a run that stopped")
    assert validated(project) is not None


@pytest.mark.parametrize("library", ["yaml", "python"])
def test_what_was_kept_with_another_yaml_library_or_python_is_not_used(project, monkeypatch, library):
    """The value of a file is PyYAML's; the checks casefold names as Python's Unicode data says."""
    import sys

    import yaml

    validated(project)
    monkeypatch.setattr(known_files, "_CODE", [])
    if library == "yaml":
        monkeypatch.setattr(yaml, "__version__", "0.0-another")
    else:
        monkeypatch.setattr(sys, "version_info", (2, 7, 18, "final", 0))
    assert known_files.load(project) is None


def test_a_kept_line_that_is_not_json_leaves_every_file_to_be_read(project, parsed):
    validated(project)
    path = project / known_files.FILE
    head, *lines = path.read_text().splitlines()
    path.write_text("\n".join([head, lines[0][:-5], *lines[1:]]) + "\n")  # one value cut short
    known = known_files.load(project)
    assert known is not None
    parsed.clear()
    same_either_way(project, known)
    assert len(parsed) == 2 * len(lines)  # read from the files, with the cache as without it


def test_what_validate_kept_is_used_by_the_next_process(project, monkeypatch):
    """`plan --changed-since` runs in a process of its own: its code digest, made afresh, is the one validate wrote."""
    validated(project)
    monkeypatch.setattr(known_files, "_CODE", [])  # (as a new process finds it)
    assert known_files.load(project) is not None


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A copy of idamconf's modules and schemas, installed beside another package, whose digest is made afresh."""
    import shutil
    from pathlib import Path

    site = tmp_path / "site-packages"
    shutil.copytree(Path(known_files.__file__).resolve().parents[1], site / "idamconf",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (site / "another").mkdir()
    (site / "another/__init__.py").write_text("VERSION = 1\n")
    monkeypatch.setattr(known_files, "__file__", str(site / "idamconf/config/known_files.py"))
    monkeypatch.setattr(known_files, "_CODE", [])
    return site


def digest_after(change) -> str:
    """code_digest() as a process started after `change()` makes it."""
    change()
    known_files._CODE.clear()
    return known_files.code_digest()


@pytest.mark.parametrize("module", ["config/semantics.py", "schemas/application.schema.json"])
def test_a_change_to_idamconfs_modules_or_schemas_changes_the_code_digest(installed, module):
    path = installed / "idamconf" / module
    before = known_files.code_digest()
    assert digest_after(lambda: path.write_text(path.read_text() + "\n")) != before


def test_bytecode_another_package_or_pythons_bug_fix_release_leave_the_code_digest_as_it_was(installed, monkeypatch):
    """Python writes its bytecode beside the modules after validate ran; another package or a Python bug-fix release
    changes neither what idamconf parses nor how it checks (Unicode data is counted on its own)."""
    import sys

    before = known_files.code_digest()
    cached = installed / "idamconf/config/__pycache__"
    cached.mkdir()
    assert digest_after(lambda: (cached / "semantics.cpython-311.pyc").write_bytes(b"\x00bytecode")) == before
    assert digest_after(lambda: (installed / "another/__init__.py").write_text("VERSION = 2\n")) == before
    major, minor, micro, *rest = sys.version_info
    monkeypatch.setattr(sys, "version_info", (major, minor, micro + 1, *rest))
    assert digest_after(lambda: None) == before


def test_a_kept_file_outside_json_is_not_kept():
    """Infinity, like NaN, is no JSON (RFC 8259): the cache stays JSON any reader takes."""
    assert known_files.encoded({"x": float("inf")}) is None


def test_a_cache_up_to_its_largest_size_is_read_and_no_larger(project, monkeypatch):
    validated(project)
    size = (project / known_files.FILE).stat().st_size
    monkeypatch.setattr(known_files, "LARGEST", size)
    assert known_files.load(project) is not None
    monkeypatch.setattr(known_files, "LARGEST", size - 1)
    assert known_files.load(project) is None


@pytest.mark.parametrize("field, damage", [("format", "2"), ("project", 5)])
def test_a_cache_of_this_code_with_a_damaged_field_is_not_used(project, field, damage):
    validated(project)
    path = project / known_files.FILE
    head, kept = entries(path)
    written(path, json.dumps({**json.loads(head), field: damage}), kept)
    assert known_files.load(project) is None


def counted_checks(monkeypatch) -> list:
    """The applications whose own checks are made from here on, by name (in this process)."""
    checked = []
    original = application.file_checks

    def counted(project_settings, document, app, variants):
        checked.append(app.name)
        return original(project_settings, document, app, variants)

    monkeypatch.setattr(application, "file_checks", counted)
    monkeypatch.setattr(application, "processes_for", lambda files: 1)
    return checked


def test_a_kept_clean_files_own_checks_are_not_run_again_under_the_same_idamconf_yaml(project, monkeypatch):
    """What the cache saves besides parsing: the own checks of the files it knows clean. Only the changed file and
    those whose checks read other files are checked again."""
    known = validated(project)
    (project / WORDPRESS).write_text((project / WORDPRESS).read_text().replace("WordPress", "Word Press"))
    checked = counted_checks(monkeypatch)
    configuration, problems = load.read(project, known=known)
    assert not errors(problems)
    outside = {app.name for app in configuration.applications if not semantics.self_contained(app)}
    assert sorted(checked) == sorted({"wordpress", *outside})
    assert len(checked) < len(configuration.applications)


def test_what_a_kept_files_checks_found_is_given_again_without_checking_it(project, monkeypatch):
    """A file whose own checks find something that is no error (a package never reviewed, a warning outside live) is
    kept with what they found: a plan taking it gives the same warnings, at the same lines, without checking it
    again -- a third of the 10,000 synthetic files warn so, and checking them again was most of a pull request's
    plan (session 52)."""
    review = "    accessReview: {reviewers: [frank.audit@contoso.com, dave.finance@contoso.com], frequencyDays: 180}\n"
    edit(project / "applications/expenses.yaml", review, "")  # its package never reviewed ...
    edit(project / "idamconf.yaml", "      reviewers.two: error\n", "      reviewers.two: error\n"
         "      review.required: warning\n")  # ... a warning everywhere
    known = validated(project)
    checked = counted_checks(monkeypatch)
    problems = same_either_way(project, known)
    assert [problem.rule for problem in problems if "expenses" in problem.file] == ["review.required"]
    known = validated(project)
    checked.clear()
    load.read(project, known=known)
    assert "expenses" not in checked and "wordpress" not in checked


def test_a_cache_directory_in_the_way_leaves_validate_as_it_was_and_no_temporary(project):
    """The cache cannot replace a directory where it goes: validate succeeds all the same, leaving nothing behind."""
    (project / known_files.FILE).mkdir(parents=True)
    configuration, problems = load.read(project, keep=True)
    assert configuration is not None and not errors(problems)
    assert [path.name for path in (project / known_files.FILE).parent.iterdir()] == [known_files.FILE.name]


def test_the_cache_is_written_beside_its_file_whatever_the_temporary_directory(project, monkeypatch, tmp_path):
    """(TMPDIR may be missing, or on another file system, from which the cache could not be moved into place.)"""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such directory"))
    assert validated(project) is not None


def test_a_file_that_cannot_be_read_is_said_as_without_the_cache(project, monkeypatch):
    """(Gone between listing and reading, or its permissions: its problem is the reading's, the same either way.)"""
    from idamconf.config import yamlfile

    known = validated(project)
    unreadable, original = project / WORDPRESS, yamlfile.read_bytes

    def read_bytes(path):  # (as root, no permission keeps a file from being read: the reading is made to fail)
        if path == unreadable:
            raise PermissionError(13, "Permission denied")
        return original(path)

    monkeypatch.setattr(yamlfile, "read_bytes", read_bytes)
    problems = same_either_way(project, known)
    assert any("cannot read file" in p.summary and p.file.endswith("wordpress.yaml") for p in errors(problems))


def test_reads_that_idamconf_yaml_decides_start_before_many_kept_files_are_modelled(project, monkeypatch):
    """Modelling thousands of files from the cache takes seconds, though none is parsed: the work given to start
    meanwhile (a sign-in, the early reads: graph/early.py) is told so (True), as when processes read the files,
    and starts before the first model; a few files are modelled at once (False)."""
    known = validated(project)
    configuration, _ = load.read(project)
    calls, models = [], []
    original = application.modelled
    monkeypatch.setattr(application, "modelled", lambda *args: models.append(1) or original(*args))
    files = sorted((project / "applications").glob("*.yaml"))
    shown = [(path, str(path)) for path in files]
    monkeypatch.setattr(application, "PARALLEL_FROM", len(files))
    application.read_all(shown, configuration, {}, lambda long: calls.append((long, len(models))), known)
    assert calls == [(True, 0)]
    monkeypatch.setattr(application, "PARALLEL_FROM", len(files) + 1)
    calls.clear()
    application.read_all(shown, configuration, {}, lambda long: calls.append((long, len(models))), validated(project))
    assert [long for long, _ in calls] == [False]


def test_nothing_started_meanwhile_runs_while_the_files_not_kept_are_forked_out(project, monkeypatch):
    """The work started meanwhile runs in threads (a sign-in, the early reads: graph/early.py), and fork does not
    allow a thread safely (docs/performance.md): where the files validate did not keep are many enough to be read
    by other processes, that work starts once those are forked, as without the cache -- not before."""
    import os
    import threading

    configuration, _ = load.read(project)
    files = sorted((project / "applications").glob("*.yaml"))
    shown = [(path, str(path)) for path in files]
    monkeypatch.setattr(application, "PARALLEL_FROM", len(files))
    monkeypatch.setattr(application, "processes_for", lambda count: 2 if count >= len(files) else 1)
    release, alive_at_fork = threading.Event(), []
    started: list[threading.Thread] = []

    def meanwhile(long: bool) -> None:  # as session.meanwhile: a thread that waits on the network
        started.append(threading.Thread(target=release.wait, daemon=True))
        started[-1].start()

    recording = [True]  # (the hook stays registered: it records only this read's forks)
    os.register_at_fork(before=lambda: recording and alive_at_fork.append(any(t.is_alive() for t in started)))
    try:
        read = application.read_all(shown, configuration, {}, meanwhile, known_files.Known({}, ""))  # none kept
    finally:
        recording.clear()
        release.set()
    assert [found.application.name for found in read] == [found.application.name
                                                          for found in application.read_all(shown, configuration, {})]
    assert len(started) == 1 and alive_at_fork and not any(alive_at_fork)
