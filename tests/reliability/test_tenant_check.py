"""benchmarks/tenant_check.py finds what `make reliability` looks for: a checker that never finds anything proves
nothing, so each kind of damage is done to a converged tenant by hand and must be reported."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from benchmarks.tenant_check import check
from tests.cli.harness import EXAMPLE_APPLICATIONS


@pytest.mark.usefixtures("applied")
def test_a_converged_tenant_is_clean(project):
    findings = check(project / ".idamconf" / "local.db")
    assert findings.clean, findings
    assert findings.counts["applications"] == len(EXAMPLE_APPLICATIONS) and findings.counts["accessPackages"] == 8


@pytest.mark.usefixtures("applied")
def test_duplicates_and_orphans_are_found(project):
    state = project / ".idamconf" / "local.db"
    db = sqlite3.connect(state)
    with db:
        rows = {kind: [(key, json.loads(doc)) for key, doc in db.execute(
            "SELECT id, doc FROM objects WHERE kind = ? ORDER BY seq", (kind,))]
            for kind in ("applications", "servicePrincipals", "assignmentPolicies", "accessPackages")}
        wordpress = next(doc for _, doc in rows["applications"] if doc["uniqueName"] == "wordpress")
        twin = {**wordpress, "id": str(uuid.uuid4())}
        db.execute("INSERT INTO objects (kind, id, doc) VALUES ('applications', ?, ?)", (twin["id"], json.dumps(twin)))
        payments = next(doc for _, doc in rows["applications"] if doc["uniqueName"] == "payments-api")
        db.execute("DELETE FROM objects WHERE kind = 'applications' AND id = ?", (payments["id"],))
        first, second = rows["accessPackages"][0][0], rows["accessPackages"][1][0]
        policy_of_second = db.execute("SELECT target FROM links WHERE relation = 'packagePolicies' AND source = ?",
                                      (second,)).fetchone()[0]
        db.execute("DELETE FROM objects WHERE id = ?", (policy_of_second,))
        db.execute("INSERT INTO links VALUES ('packagePolicies', ?, ?)", (first, policy_of_second + "-gone"))
        extra = str(uuid.uuid4())
        db.execute("INSERT INTO objects (kind, id, doc) VALUES ('assignmentPolicies', ?, ?)",
                   (extra, json.dumps({"id": extra})))
        db.execute("INSERT INTO links VALUES ('packagePolicies', ?, ?)", (first, extra))
    db.close()
    findings = check(state)
    shown = "\n".join(findings.duplicates + findings.orphans)
    assert "application uniqueName 'wordpress' x2" in shown
    assert f"service principal for appId {payments['appId']!r}" not in shown  # not a duplicate: an orphan
    assert f"(appId {payments['appId']}) has no application" in shown
    assert f"access package {first} has 3 assignment policies" in shown
    assert f"access package {second} has no assignment policy" in shown
    assert not findings.clean
