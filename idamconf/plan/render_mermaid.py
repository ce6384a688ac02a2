"""A Mermaid diagram of what a plan touches: application -> roles -> access packages -> approvers and reviewers.

Every label passes through escape.mermaid_label (Mermaid entity codes), so a name can neither leave its quotes nor
close the fence; node ids are made from the names but never shared by two of them.
"""

from __future__ import annotations

import re

from ..escape import mermaid_label
from .model import Change, Plan
from .roles import role_label, role_of

_PACKAGE = "access package"  # the label of a package whose name this plan does not say


def mermaid(plan: Plan) -> str:
    """Applications, roles, packages and people the pending changes touch, as a left-to-right graph ("" if none)."""
    diagram = _Diagram()
    for change in plan.pending:
        if not change.application:
            continue
        app = diagram.node(f"app.{change.application}", change.application)
        part = role_of(change.address)
        if not part:
            continue
        role = diagram.node(f"app.{change.application}.role{part}", role_label(part))
        diagram.edge(app, role)
        if change.kind in ("access_package", "policy", "role_scope"):
            _package_edges(diagram, change, role)
    return diagram.text()


def _package_edges(diagram: _Diagram, change: Change, role: str) -> None:
    package_address = change.address.split(".access_package")[0] + ".access_package"
    state = change.after or change.before or {}
    name = state.get("displayName") if change.kind == "access_package" else None
    package = diagram.node(package_address, name)
    diagram.edge(role, package)
    if change.kind != "policy":
        return
    review = state.get("review") or {}
    for person in state.get("approvers", []):
        diagram.edge(package, diagram.node("person." + person, person), "approves")
    for person in review.get("reviewers", []):
        diagram.edge(package, diagram.node("person." + person, person), f"reviews {review.get('schedule', '')}")


class _Diagram:
    def __init__(self) -> None:
        self.ids: dict[str, str] = {}  # key (an address, person.<upn>) -> node id
        self.labels: dict[str, str | None] = {}  # node id -> label, as written
        self.edges: dict[str, None] = {}  # in order, once each

    def node(self, key: str, label: str | None) -> str:
        """The node for `key`, labelled `label` (None: a package whose name another change may say)."""
        node = self.ids.get(key)
        if node is None:
            node = self.ids[key] = self._new_id(key)
        if self.labels.get(node) in (None, _PACKAGE):
            self.labels[node] = label or _PACKAGE
        return node

    def _new_id(self, key: str) -> str:
        """Readable, and unique: `app.a-b` and `app.a.b` would both read n_app_a_b."""
        node = base = "n_" + re.sub(r"[^A-Za-z0-9]", "_", key)
        number = 1
        while node in self.labels:
            number += 1
            node = f"{base}_{number}"
        self.labels[node] = None
        return node

    def edge(self, source: str, target: str, label: str = "") -> None:
        self.edges[f"{source} -- {mermaid_label(label)} --> {target}" if label else f"{source} --> {target}"] = None

    def text(self) -> str:
        if not self.labels:
            return ""
        nodes = [f'  {node}["{mermaid_label(label)}"]' for node, label in self.labels.items()]
        return "\n".join(["graph LR", *nodes, *(f"  {edge}" for edge in self.edges)])
