"""The embedded emulator is never read early (graph/early.py): it answers in-process, with no round trip to hide,
and opening it creates its state file -- which a configuration with an error must not do."""

from __future__ import annotations

from benchmarks.synthetic import write_configuration

from ..cli.harness import plan
from .test_early_reads import large  # noqa: F401 - the fixture: read as a large configuration is


def test_a_large_configuration_with_an_error_leaves_the_embedded_emulator_unopened(large, tmp_path):  # noqa: F811
    write_configuration(tmp_path, 6)
    broken = tmp_path / "applications" / "app-00002.yaml"
    broken.write_text(broken.read_text().replace("displayName: Synthetic", "displayNme: Synthetic"))
    result = plan(tmp_path)
    assert result.code == 1 and "unknown key 'displayNme'" in result.err
    assert not (tmp_path / ".idamconf").exists(), sorted(p.name for p in (tmp_path / ".idamconf").iterdir())
