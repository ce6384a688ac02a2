"""Names are compared as Graph compares them -- case-insensitively -- in plan and in apply alike: another team's
package named in another case is never taken over, a catalog named in another case is the same catalog, and the
reserved tag prefix is reserved in every case."""

from __future__ import annotations

from .harness import live_warns_of, apply, edit, idamconf, plan, tenant
from .test_access_packages import WORDPRESS, governance, graph
from .test_scenarios import converged

GOV = "identityGovernance/entitlementManagement"
WRITER_PACKAGE = """    accessPackage:
      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]
      accessReview:
        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]
        frequencyDays: 180       # every 6 months
"""


def validate_messages(project) -> list[str]:
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    return result.err.splitlines()


def test_another_teams_package_named_in_another_case_is_never_taken_over(project):
    live_warns_of(project, "review.required")  # a package without a review: tests/cli/harness.py
    edit(project / WORDPRESS, WRITER_PACKAGE, "")
    assert apply(project).code == 0
    catalog = graph(project, "GET", f"{GOV}/catalogs")["value"][0]
    theirs = graph(project, "POST", f"{GOV}/accessPackages", {"displayName": "EUCS-IDAM-WordPress-Writers",
                                                              "description": "Other team's package",
                                                              "catalog": {"id": catalog["id"]}})
    graph(project, "POST", f"{GOV}/assignmentPolicies", {"displayName": "theirs", "accessPackage": {"id": theirs["id"]},
                                                          "allowedTargetScope": "allMemberUsers"})
    edit(project / WORDPRESS, "    description: Drafts and edits posts; cannot publish.\n",
         "    description: Drafts and edits posts; cannot publish.\n    accessPackage:\n"
         "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n")
    result = plan(project)
    assert result.code == 1
    assert "access package 'eucs-idam-wordpress-writers' already exists in catalog 'EUCS IDAM applications'" \
        in result.err
    assert apply(project).code == 1
    package = governance(project)["EUCS-IDAM-WordPress-Writers"]
    assert [p["displayName"] for p in package["policies"]] == ["theirs"]  # untouched, and no second policy
    assert package["roles"] == []


def test_a_catalog_named_in_another_case_is_the_same_catalog_and_converges(project):
    plan(project)  # the tenant is seeded
    graph(project, "POST", f"{GOV}/catalogs", {"displayName": "eucs idam APPLICATIONS", "description": "made by hand",
                                               "state": "published", "isExternallyVisible": False})
    assert apply(project).code == 0
    catalogs = tenant(project)["objects"]["catalogs"]
    assert [c["displayName"] for c in catalogs] == ["eucs idam APPLICATIONS"]  # no second catalog
    converged(project)  # and no package made again at every apply
    assert apply(project).out.count("No changes") == 1


def test_the_reserved_tag_prefix_is_reserved_in_any_case(project):
    edit(project / WORDPRESS, "tags: [communications, public-facing]", "tags: [communications, IDAMConf:other-team]")
    messages = validate_messages(project)
    assert any("wordpress.yaml:" in line and "reserved" in line for line in messages), messages


def test_a_catalog_written_in_two_ways_is_refused(project):
    edit(project / WORDPRESS, "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
         "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
         "        frequencyDays: 180",
         "      catalog: eucs idam applications\n"
         "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
         "      accessReview:\n        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"
         "        frequencyDays: 180")
    messages = validate_messages(project)
    assert any("catalog 'eucs idam applications' is also written 'EUCS IDAM applications'" in line
               for line in messages), messages


def test_a_group_id_written_in_upper_case_is_the_groups_id_and_converges(project):
    """Graph's object ids are compared in any case: a requestor group written as 2B7D3C4E-… is the group Graph
    returns as 2b7d3c4e-…, so the package's policy is applied once and the next plan has nothing to change."""
    hr = project / "applications/hr-self-service.yaml"
    hr.write_text(hr.read_text().replace("group: 2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001",
                                         "group: 2B7D3C4E-5F60-4A1B-8C2D-3E4F5A6B0001"))
    first = apply(project)
    assert first.code == 0, first.out + first.err
    converged(project)


def test_an_approver_written_twice_in_two_cases_is_sent_to_graph_once_and_converges(project):
    """alice.admin@contoso.com and ALICE.ADMIN@contoso.com are one person to the tenant (and to the rule of two
    approvers): the policy Graph receives names her once, beside the two others, and the next plan has nothing to
    change."""
    wordpress = project / WORDPRESS
    wordpress.write_text(wordpress.read_text().replace(
        "approvers: [alice.admin@contoso.com, erin.security@contoso.com, bob.ops@contoso.com]",
        "approvers: [alice.admin@contoso.com, ALICE.ADMIN@contoso.com, erin.security@contoso.com, bob.ops@contoso.com]"))
    assert apply(project).code == 0
    policy, = governance(project)["eucs-idam-wordpress-administrators"]["policies"]
    sent = [a["userId"] for a in policy["requestApprovalSettings"]["stages"][0]["primaryApprovers"]]
    assert len(sent) == len(set(sent)) == 3, sent
    converged(project)
