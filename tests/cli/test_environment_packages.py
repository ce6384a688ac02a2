"""An application limited to some environments (`environments: [...]`) has nothing planned in the others: not
itself, and not the access packages of its roles either."""

from __future__ import annotations

from .harness import edit, plan


def test_an_application_outside_the_environment_plans_none_of_its_packages(project):
    edit(project / "applications/wordpress.yaml", "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\nenvironments: [devl]\n")
    result = plan(project)
    assert result.code == 0, result.err
    assert "app.hr-self-service.role" in result.out  # the others' packages are planned
    assert not [line for line in result.out.splitlines() if "app.wordpress" in line], result.out
