"""A pull request's plan looks its changed applications up by key (graph/read_changed.py): a look-up Graph refuses
once -- for any reason but "not found" -- stops the plan naming it, never taken for an application to create, even
when the reads after it would be answered."""

from __future__ import annotations

from .harness import plan
from .test_changed_reads import applied_repository


def test_a_look_up_refused_once_is_the_plans_error_not_an_application_to_create(tmp_path, monkeypatch):
    from idamconf.emulator import embedded

    from ..safety.wire import Rule, Scripted, graph_error

    root = applied_repository(tmp_path, 3)
    changed = root / "applications" / "app-00001.yaml"
    changed.write_text(changed.read_text().replace("Application 1 of", "The first application of"))
    faults = Scripted([Rule(lambda request: request.path.startswith("applications(uniqueName='app-00001')"),
                            graph_error(403, "Authorization_RequestDenied"), times=1)])
    real_open = embedded.open_app
    monkeypatch.setattr(embedded, "open_app", lambda state, seed=None, _=None, tenant=None:
                        real_open(state, seed, faults, tenant))
    result = plan(root, "--changed-since", "HEAD")
    assert result.code == 1, result.out
    assert "GET applications(uniqueName='app-00001')" in result.err and "Authorization_RequestDenied" in result.err
    assert "+ app.app-00001" not in result.out
