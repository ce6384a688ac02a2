"""A large configuration is read by several processes (config/application.py); what a user gets must not depend on
it: the same configuration, digest and diagnostics -- positions included, found after the files came back."""

from __future__ import annotations

import pytest

from idamconf.config import application, load


def read(project, processes: int, monkeypatch):
    monkeypatch.setattr(application, "processes_for", lambda files: processes)
    monkeypatch.setattr(application, "CHUNKS_PER_PROCESS", 2)  # several shares even for a few files
    return load.read(project)


@pytest.fixture
def larger(project):
    """examples/ plus 40 more applications (a package each), one with a package name another already holds."""
    template = (project / "applications" / "wordpress.yaml").read_text()
    for number in range(40):
        text = template.replace("name: wordpress", f"name: app-{number:02d}")
        if number == 7:
            text = text.replace("name: app-07", "name: app-07\nenvironments: [local, prod]")
        (project / "applications" / f"app-{number:02d}.yaml").write_text(text)
    return project


def test_processes_read_what_one_process_reads(larger, monkeypatch):
    alone, alone_problems = read(larger, 1, monkeypatch)
    shared, shared_problems = read(larger, 2, monkeypatch)
    assert shared_problems == alone_problems
    assert [p.render() for p in shared_problems] == [p.render() for p in alone_problems]
    assert any("unknown environment 'prod'" in p.summary and p.line > 1 for p in shared_problems)


def test_a_valid_configuration_is_the_same_read_either_way(project, monkeypatch):
    alone, alone_problems = read(project, 1, monkeypatch)
    shared, shared_problems = read(project, 2, monkeypatch)
    assert shared == alone and shared.digest == alone.digest
    assert shared_problems == alone_problems
    first = shared.applications[0]
    assert str(first.location) == str(alone.applications[0].location)
    assert first.location.line > 0  # positions are looked up in the parent, from what the processes sent back


def test_duplicate_names_across_files_point_at_the_first_either_way(larger, monkeypatch):
    (larger / "applications" / "app-07.yaml").write_text(
        (larger / "applications" / "app-03.yaml").read_text())
    _, alone = read(larger, 1, monkeypatch)
    _, shared = read(larger, 2, monkeypatch)
    assert [p.render() for p in shared] == [p.render() for p in alone]
    assert any("application name 'app-03' is already used in" in p.summary and "app-03.yaml:" in p.summary
               for p in shared)


def test_the_digest_follows_every_file(project, monkeypatch):
    before, _ = read(project, 2, monkeypatch)
    path = project / "applications" / "wordpress.yaml"
    path.write_text(path.read_text().replace("WordPress", "WordPress "))
    after, _ = read(project, 2, monkeypatch)
    assert after.digest != before.digest


@pytest.mark.parametrize("processes", [1, 2])
def test_work_given_for_meanwhile_is_done_once_whether_or_not_processes_read(larger, monkeypatch, processes):
    import os

    done = []
    monkeypatch.setattr(application, "processes_for", lambda files: processes)
    configuration, problems = load.read(larger, meanwhile=lambda project, parallel: done.append((
        os.getpid(), project.project, parallel)))
    # here, not in a reading process; given the project's settings, and whether other processes read the files
    assert done == [(os.getpid(), "eucs-idam", processes > 1)]
    assert any("unknown environment 'prod'" in p.summary for p in problems)  # and the files were read all the same


@pytest.mark.parametrize("value", [{"name": "app", "days": 7, "ratio": 0.5, "on": False, "none": None,
                                    "list": ["a", 1, [True]]},  # sent as marshal data
                                   {"name": "app", "odd": {1, 2}}])  # not a YAML value: pickled instead
def test_a_file_read_in_another_process_arrives_whole(value):
    import pickle

    from idamconf.config import yamlfile

    read = application._Read(b"digest", yamlfile.Document("applications/app.yaml", value), ())
    assert pickle.loads(pickle.dumps(read)) == read
