"""A GUID written in capitals (a role's or a scope's `id`, as copied from another tool) is the same GUID: Graph keeps
and returns GUIDs in lower case, so the plan must compare them so -- otherwise the role or scope would be planned as
destroyed and created again at every plan, and apply would never converge."""

from __future__ import annotations

from .harness import applications, apply, edit
from .test_scenarios import converged

BLOG = "applications/wordpress.yaml"
WRITER_ID = "6F1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"
SCOPE_ID = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4E"


def test_a_role_id_in_capitals_reaches_graph_in_lower_case_and_converges(project):
    edit(project / BLOG, "    value: Blog.Writer\n", f"    value: Blog.Writer\n    id: {WRITER_ID}\n")
    applied = apply(project)
    assert applied.code == 0, applied.err
    roles = {role["value"]: role["id"] for role in applications(project)["wordpress"]["appRoles"]}
    assert roles["Blog.Writer"] == WRITER_ID.lower()
    converged(project)


def test_a_scope_id_in_capitals_reaches_graph_in_lower_case_and_converges(project):
    edit(project / "applications/orders-api.yaml", "    - value: Orders.Read\n",
         f"    - value: Orders.Read\n      id: {SCOPE_ID}\n")
    applied = apply(project)
    assert applied.code == 0, applied.err
    scopes = {scope["value"]: scope["id"]
              for scope in applications(project)["orders-api"]["api"]["oauth2PermissionScopes"]}
    assert scopes["Orders.Read"] == SCOPE_ID.lower()
    converged(project)
