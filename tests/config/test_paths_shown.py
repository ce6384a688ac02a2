"""Paths as messages show them and as the configuration's digest names them: relative to the working directory (or
the configuration's root) when below it, exactly as pathlib's `relative_to` makes them -- the digest a saved plan
records must not change with how it is computed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from idamconf.config import load

CASES = [("/work/cfg/applications/a.yaml", "/work/cfg"), ("/work/cfg/idamconf.yaml", "/work/cfg"),
         ("/work/cfg", "/work/cfg"), ("/x/y", "/"), ("applications/a.yaml", "."),
         ("cfg/applications/deep/b.yml", "cfg"), ("/work/cfg2/a.yaml", "/work/cfg"), ("/work", "/work/cfg"),
         ("cfg/a.yaml", "/work/cfg"), ("/work/cfg/a.yaml", "cfg")]


@pytest.mark.parametrize(("path", "base"), CASES)
def test_a_path_below_its_base_is_named_as_pathlib_names_it_and_any_other_is_refused_alike(path, base):
    try:
        expected = str(Path(path).relative_to(base))
    except ValueError:
        with pytest.raises(ValueError):
            load._below(Path(path), Path(base))
    else:
        assert load._below(Path(path), Path(base)) == expected


def test_shown_is_relative_below_the_working_directory_and_whole_elsewhere(tmp_path):
    assert load._shown(tmp_path / "applications" / "a.yaml", tmp_path) == "applications/a.yaml"
    assert load._shown(Path("/elsewhere/a.yaml"), tmp_path) == "/elsewhere/a.yaml"
    assert load._shown(Path("relative/a.yaml"), tmp_path) == "relative/a.yaml"


def test_the_digest_names_each_file_by_its_path_below_the_root(tmp_path):
    root = tmp_path / "cfg"
    files = [(root / "applications" / "b.yaml", b"two"), (root / "idamconf.yaml", b"project"),
             (root / "applications" / "a" / "c.yaml", b"three")]
    expected = hashlib.sha256()
    for text, content in (("applications/a/c.yaml", b"three"), ("applications/b.yaml", b"two"),
                          ("idamconf.yaml", b"project")):
        expected.update(text.encode() + b"\0" + content)
    assert load._digest(files, root) == expected.hexdigest()


def test_the_digest_names_a_file_whose_name_is_not_utf8_by_its_bytes(tmp_path):
    """A file name is any bytes on Linux (Python holds the odd ones as lone surrogates, os.fsdecode): the digest
    takes them as they are on disk -- str.encode refused them, and every plan of such a configuration failed."""
    root = tmp_path / "cfg"
    named = root / "applications" / os.fsdecode(b"caf\xe9.yaml")
    expected = hashlib.sha256(b"applications/caf\xe9.yaml\0app").hexdigest()
    assert load._digest([(named, b"app")], root) == expected


def test_application_files_are_found_in_folder_order_each_as_its_whole_path(tmp_path):
    """Sorted part by part, a folder's files before a name that only shares its beginning (as `a/z` before `a-b`,
    though '/' sorts after '-' as text), at any depth."""
    directory = tmp_path / "applications"
    names = ["a.yaml", "a-b.yaml", "a/z.yaml", "a/b/c.yml", "b/a.yaml", ".hidden.yaml", "notes.txt"]
    for name in names:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text("name: x\n")
    found = load.application_files(tmp_path, [])
    assert found == [directory / "a" / "b" / "c.yml", directory / "a" / "z.yaml", directory / "a-b.yaml",
                     directory / "a.yaml", directory / "b" / "a.yaml"]
    assert [str(path) for path in found] == [str(directory / name) for name in
                                             ("a/b/c.yml", "a/z.yaml", "a-b.yaml", "a.yaml", "b/a.yaml")]
