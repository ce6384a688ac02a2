"""Every YAML example of README.md and docs/*.md validates, as a user who copies it into examples/ would find.

A block is put where its keys say it goes: a whole `idamconf.yaml` (`project:`) replaces the project file (with no
applications), keys of `idamconf.yaml` (`environments:`, `catalogs:`) are laid over examples' own, an emulator
seed (`tenant:`, or only its lists: `users:`, `groups:`, ...) is seeded, a whole application (`name:`) is written
as its file, an `accessPackage:` goes on a role, and any other keys are laid over an application: a small one of
this test's, or the examples/ application the line before the block names (`<!-- example of
applications/hr-self-service.yaml -->`). A block that cannot validate as written -- placeholders for the reader's
own values -- says so on that line (`<!-- example not validated: … -->`), so none is skipped silently."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from idamconf.config import yamlfile
from idamconf.emulator.seed import LISTS as SEED_LISTS
from tests.cli.harness import idamconf

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^(?:( *)<!-- example (of [^ ]+|not validated: [^>]*) -->\n)?( *)```ya?ml\n(.*?)^\3```", re.S | re.M)
PROJECT_KEYS = {"environments", "catalogs", "defaults"}
SMALL_APPLICATION = {"name": "snippet", "displayName": "Snippet", "description": "A documented example.",
                     "owners": ["alice.admin@contoso.com", "bob.ops@contoso.com"],
                     "appRoles": [{"displayName": "Reader", "value": "Snippet.Read", "description": "Reads."}]}


def _blocks():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            where = f"{page.relative_to(ROOT)}:{text[:match.start(3)].count(chr(10)) + 1}"
            note = match.group(2) or ""
            marks = [pytest.mark.skip(reason=note)] if note.startswith("not validated") else []
            yield pytest.param(textwrap.dedent(match.group(4)), note.removeprefix("of "), id=where, marks=marks)


def _laid_over(base: dict, keys: dict) -> dict:
    for key, value in keys.items():
        base[key] = _laid_over(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return base


def _write(path: Path, document: dict) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _placed(project: Path, block: dict, host: str) -> list[str]:
    """Writes the block where it goes in the project; returns the command that checks it."""
    project_file = project / "idamconf.yaml"
    if "tenant" in block or set(block) <= set(SEED_LISTS):
        _write(project / "seed.yaml", block)
        return ["emulator", "seed", str(project / "seed.yaml"), "-C", str(project)]
    if "project" in block:
        shutil.rmtree(project / "applications")
        (project / "applications").mkdir()
        _write(project_file, block)
    elif set(block) <= PROJECT_KEYS:
        _write(project_file, _laid_over(yaml.safe_load(project_file.read_text(encoding="utf-8")), block))
    elif "name" in block:
        _write(project / "applications" / f"{block['name']}.yaml", block)
    else:
        path = project / (host or "applications/snippet.yaml")
        application = yaml.safe_load(path.read_text(encoding="utf-8")) if host else dict(SMALL_APPLICATION)
        if "accessPackage" in block:
            application["appRoles"] = [{**application["appRoles"][0], **block}]
        else:
            application = _laid_over(application, block)
        _write(path, application)
    return ["validate", "-C", str(project)]


@pytest.mark.parametrize("text, host", list(_blocks()))
def test_a_documented_example_validates(project, text, host):
    block = yaml.load(text, Loader=yamlfile._SafeLoader)  # as idamconf reads files: a block it cannot parse fails
    result = idamconf(*_placed(project, block, host))
    assert result.code == 0, result.out + result.err


def test_every_page_a_user_reads_has_its_examples_checked():
    """The pages with YAML examples are found, so a new page's examples are checked without a word more."""
    ids = {param.id.split(":")[0] for param in _blocks()}
    assert {"README.md", "docs/credentials.md", "docs/saml.md", "docs/identity-provider.md"} <= ids
