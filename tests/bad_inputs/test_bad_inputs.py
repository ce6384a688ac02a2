"""Hostile input: every case in cases/ (see generate.py) is refused with a diagnostic at its file:line:column.

Each case is dropped into a copy of examples/ as applications/wordpress.yaml (or idamconf.yaml), and both
`validate` and `plan` must exit 1 with every expected substring, never a traceback or an "unexpected" failure,
without creating any tenant state or connecting to a tenant.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from idamconf.config import yamlfile
from idamconf.graph import limits
from idamconf.graph import connect as connect_module
from tests.bad_inputs.generate import BASE
from tests.cli.harness import idamconf

CASES_DIR = Path(__file__).resolve().parent / "cases"
APP = "applications/wordpress.yaml"


def _huge_application(project: Path, outside: Path) -> None:
    valid = (project / APP).read_bytes()
    (project / APP).write_bytes(valid + b"#" * (yamlfile.MAX_BYTES + 1 - len(valid)))


def _huge_project(project: Path, outside: Path) -> None:
    valid = (project / "idamconf.yaml").read_bytes()
    (project / "idamconf.yaml").write_bytes(valid + b"#" * (yamlfile.MAX_BYTES + 1 - len(valid)))


def _huge_single_line(project: Path, outside: Path) -> None:
    # Just under the size limit: parsed in full, and refused by the schema (description at most 1024 characters).
    text = BASE + "description: "
    (project / APP).write_text(text + "x" * (yamlfile.MAX_BYTES - 1 - len(text)) + "\n")


def _symlink_file(project: Path, outside: Path) -> None:
    target = outside / "wordpress.yaml"
    target.write_bytes((project / APP).read_bytes())
    (project / APP).unlink()
    os.symlink(target, project / APP)


def _symlink_directory(project: Path, outside: Path) -> None:
    (outside / "outside.yaml").write_text("name: outside\ndisplayName: Outside\nowners: [alice.admin@contoso.com]\n")
    os.symlink(outside, project / "applications" / "linked", target_is_directory=True)


def _symlink_project_file(project: Path, outside: Path) -> None:
    target = outside / "idamconf.yaml"
    target.write_bytes((project / "idamconf.yaml").read_bytes())
    (project / "idamconf.yaml").unlink()
    os.symlink(target, project / "idamconf.yaml")


def _symlink_seed(project: Path, outside: Path) -> None:
    seed = project / "emulator" / "directory.yaml"
    (outside / "directory.yaml").write_bytes(seed.read_bytes())
    seed.unlink()
    os.symlink(outside / "directory.yaml", seed)


def _huge_logo(project: Path, outside: Path) -> None:
    (project / "images" / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * limits.LOGO_BYTES)
    (project / APP).write_text(BASE + "logo: images/huge.png\n")


def _symlink_logo(project: Path, outside: Path) -> None:
    (outside / "logo.png").write_bytes((project / "images" / "orders-portal.png").read_bytes())
    os.symlink(outside / "logo.png", project / "images" / "linked.png")
    (project / APP).write_text(BASE + "logo: images/linked.png\n")


def _symlink_loop(project: Path, outside: Path) -> None:
    os.symlink("loop.yaml", project / "applications" / "loop.yaml")


def _name_not_utf8(project: Path, outside: Path) -> None:
    name = os.fsdecode(b"odd\xffname.yaml")
    (project / "applications" / name).write_text(BASE)  # valid alone: its name is wordpress's (found after the digest)


def _dangling_link(project: Path, outside: Path) -> None:
    os.symlink("removed.yaml", project / "applications" / "gone.yaml")  # its file deleted, the link left


def _fifo_application(project: Path, outside: Path) -> None:
    os.mkfifo(project / "applications" / "fifo.yaml")


def _seed_fifo(project: Path, outside: Path) -> None:
    os.mkfifo(project / "emulator" / "fifo.yaml")
    text = (project / "idamconf.yaml").read_text()
    (project / "idamconf.yaml").write_text(text.replace("seed: emulator/directory.yaml", "seed: emulator/fifo.yaml"))


BUILDERS = {
    "huge-file-over-limit": _huge_application,
    "huge-project-file-over-limit": _huge_project,
    "huge-single-line-under-limit": _huge_single_line,
    "symlink-file-outside": _symlink_file,
    "symlink-directory-outside": _symlink_directory,
    "symlink-project-file-outside": _symlink_project_file,
    "symlink-seed-outside": _symlink_seed,
    "logo-over-the-limit": _huge_logo,
    "logo-symlink-outside": _symlink_logo,
    "symlink-loop-application": _symlink_loop,
    "application-file-name-not-utf8": _name_not_utf8,
    "project-seed-a-fifo": _seed_fifo,
    "dangling-link-application": _dangling_link,
    "fifo-application": _fifo_application,
}


def _cases():
    params = []
    for directory in sorted(path for path in CASES_DIR.iterdir() if path.is_dir()):
        xfail = directory / "xfail.txt"
        marks = [pytest.mark.xfail(strict=True, reason=xfail.read_text().strip())] if xfail.exists() else []
        params.append(pytest.param(directory, id=directory.name, marks=marks))
    return params


def test_there_are_at_least_a_hundred_cases():
    assert len(_cases()) >= 100
    assert set(BUILDERS) <= {path.name for path in CASES_DIR.iterdir()}


@pytest.fixture
def no_tenant(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a broken configuration must never contact the tenant")

    monkeypatch.setattr(connect_module, "connect", refuse)  # commands/session.py imports it when it connects


def install(case: Path, project: Path, outside: Path) -> None:
    for extra in sorted((case / "files").rglob("*")) if (case / "files").is_dir() else []:
        if extra.is_file():  # a file the case's application names (SAML metadata): generate.py's FILES
            target = project / extra.relative_to(case / "files")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(extra.read_bytes())
    if (case / "generated.txt").exists():
        BUILDERS[(case / "generated.txt").read_text().strip()](project, outside)
    elif (case / "app.yaml").exists():
        (project / APP).write_bytes((case / "app.yaml").read_bytes())
    else:
        (project / "idamconf.yaml").write_bytes((case / "idamconf.yaml").read_bytes())


@pytest.mark.parametrize("case", _cases())
def test_bad_input_is_refused_with_a_diagnostic(case, project, tmp_path, no_tenant):
    outside = tmp_path / "outside"
    outside.mkdir()
    install(case, project, outside)
    expected = [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines() if line]
    for command in ("validate", "plan"):
        result = idamconf(command, "-C", str(project), *(["--no-colour"] if command == "plan" else []))
        shown = result.out + result.err
        assert "Traceback" not in shown, shown
        assert "error: unexpected" not in shown and "idamconf-error-" not in shown, shown
        assert result.code == 1, f"{command}: exit {result.code}\n{shown}"
        for substring in expected:
            assert substring in result.err, f"{command}: {substring!r} not in\n{result.err}"
        assert not (project / ".idamconf").exists(), f"{command} created tenant state"
