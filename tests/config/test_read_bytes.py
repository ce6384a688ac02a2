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


def test_no_descriptor_is_left_open(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text("name: a\n")
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(50):
        read_bytes(path)
        with pytest.raises(OSError):
            read_bytes(tmp_path)
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
