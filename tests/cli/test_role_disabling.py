"""Graph changes or removes an app role only once it is disabled, so a role's change is preceded by a step disabling
it -- but a role whose only change is being disabled is that one update: no step before it, one request."""

from __future__ import annotations

import pytest

from .harness import edit, plan


@pytest.mark.usefixtures("applied")
def test_disabling_a_role_is_one_update_with_no_disabling_step_before_it(project):
    edit(project / "applications/wordpress.yaml", "    value: Blog.Writer\n", "    value: Blog.Writer\n    enabled: false\n")
    result = plan(project)
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if line.lstrip().startswith(("~", "+", "-"))
             and "role.Blog.Writer" in line and "access_package" not in line]
    assert lines == ["  ~ app.wordpress.role.Blog.Writer  (update)"], result.out
    assert "disable first" not in result.out
