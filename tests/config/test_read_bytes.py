"""config/yamlfile.read_bytes: what `Path.read_bytes` gives, and its failures, for every application file a plan
reads."""

from __future__ import annotations

import os

import pytest

from idamconf.config.yamlfile import load, read_bytes


@pytest.mark.parametrize("size", [0, 1, (1 << 16) - 1, 1 << 16, 3 * (1 << 16) + 5])
def test_a_files_content_is_read_whole_at_any_size(tmp_path, size):
    path = tmp_path / "app.yaml"
    path.write_bytes(os.urandom(size))
    assert read_bytes(path) == path.read_bytes()
    assert read_bytes(str(path)) == path.read_bytes()


@pytest.mark.parametrize("make", ["missing", "directory"])
def test_what_cannot_be_read_fails_as_path_read_bytes_does(tmp_path, make):
    path = tmp_path / "app.yaml"
    if make == "directory":
        path.mkdir()
    with pytest.raises(OSError) as expected:
        path.read_bytes()
    with pytest.raises(type(expected.value)) as found:
        read_bytes(path)
    assert found.value.strerror == expected.value.strerror
    document, problems = load(path, "applications/app.yaml")
    assert document is None and problems[0].summary == f"cannot read file: {expected.value.strerror}"


def test_every_descriptor_it_opens_is_closed_whether_the_read_works_or_fails(tmp_path, monkeypatch):
    """(Counted as yamlfile opens and closes them, not in /proc: other threads of a test process open files too.)"""
    from types import SimpleNamespace

    from idamconf.config import yamlfile

    path = tmp_path / "app.yaml"
    path.write_text("name: a\n")
    opened, closed = [], []

    def opening(*args):
        opened.append(os.open(*args))
        return opened[-1]

    def closing(descriptor):
        closed.append(descriptor)
        os.close(descriptor)

    monkeypatch.setattr(yamlfile, "os",
                        SimpleNamespace(open=opening, close=closing, read=os.read, O_RDONLY=os.O_RDONLY))
    assert read_bytes(path) == b"name: a\n"
    with pytest.raises(IsADirectoryError):
        read_bytes(tmp_path)  # opened (a directory opens for reading), then the read fails
    assert len(opened) == 2 and closed == opened
