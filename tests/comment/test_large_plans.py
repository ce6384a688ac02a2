"""A pull request adding 50 applications: its comment was 283,000 characters, cut at 60,000 with its policy findings
(placed last) lost first, and a Mermaid block alone over Mermaid's 50,000-character limit. Now: findings first, a
table, details left to the artifact when they do not fit, a diagram only when Mermaid can draw it, and the whole
under GitHub's 65,536 characters."""

from __future__ import annotations

import re

import pytest

from idamconf.comment import MARKER, Outcome, render_comment
from idamconf.comment.compose import LIMIT, MERMAID_LIMIT
from idamconf.lint.model import Finding
from idamconf.plan.model import Action, AttributeChange, Change, Plan
from tests.cli.harness import EXAMPLES_TO_ADD, idamconf

WORDPRESS = "applications/wordpress.yaml"


def fifty_new_applications(project) -> None:
    template = (project / WORDPRESS).read_text()
    for number in range(1, 51):
        name = f"team-app-{number:02d}"
        text = (template.replace("name: wordpress", f"name: {name}")
                .replace("displayName: WordPress Blog", f"displayName: Team application {number}")
                .replace("api://eucs-idam-wordpress", f"api://eucs-idam-{name}"))
        if number == 7:  # one of them breaks a rule: the finding must reach the reviewer
            text = text.replace("  - grace.comms@contoso.com\n", "", 1)
        (project / "applications" / f"{name}.yaml").write_text(text)


def test_fifty_new_applications_make_a_comment_github_takes(project):
    fifty_new_applications(project)
    result = idamconf("plan", "-C", str(project), "--format", "markdown")
    assert result.code == 0, result.err
    comment = result.out
    assert len(comment) < LIMIT and len(comment.encode()) < LIMIT
    assert comment.startswith(MARKER + "\n") and comment.count(MARKER) == 1
    findings = comment.index("#### Policy findings")
    assert "`owners.two`" in comment and "team-app-07.yaml" in comment[findings:]
    assert findings < comment.index("**Plan: ")  # findings first
    # with the examples' own; each copy of wordpress adds 19 (team-app-07, one owner fewer: its owner and its
    # service principal's owner fewer, 17)
    total = EXAMPLES_TO_ADD + 49 * 19 + 17
    assert f"**Plan: {total} to add, 0 to change, 0 to destroy.**" in comment
    rows = re.findall(r"^\| `app\.team-app-\d\d` \| 1[79] \| 0 \| 0 \| 0 \|$", comment, re.M)
    assert len(rows) == 50  # a row per application, when a row per change does not fit
    shown = comment.count("<details><summary><code>")
    assert shown > 50 and f"Details of {total - shown} more change(s) are left out of this comment (GitHub's size " \
                          "limit)" in comment
    assert "```mermaid" not in comment or len(comment.split("```mermaid")[1]) < MERMAID_LIMIT


def test_a_comment_is_under_the_limit_whatever_the_plan():
    """A plan no comment could hold: thousands of deletions, long names, findings by the hundred."""
    changes = tuple(Change(f"app.{'x' * 60}-{number}", "application", f"a{number}", Action.DELETE,
                           {"displayName": "é" * 200}, None) for number in range(3000))
    plan = Plan("p", "live", "t", changes)
    findings = [Finding("owners.two", "warning", "only 1 owner " * 20, "add one", f"applications/{n}.yaml", 1, 1)
                for n in range(500)]
    other = Outcome("nle", error="error: signing in to Entra ID failed\n" * 500)
    comment = render_comment("p", [Outcome("live", plan, "tenant t"), other], findings)
    assert len(comment.encode()) < LIMIT
    assert "… and 400 more findings, left out of this comment: run idamconf lint." in comment
    assert re.search(r"… and \d+ more deletions, left out of this comment", comment)
    assert "**No plan for `nle`:** the plan failed." in comment  # every environment is still there
    assert comment.index("#### Policy findings") < comment.index("#### Deletions and replacements")


def test_a_diagram_mermaid_cannot_draw_is_left_out():
    changes = tuple(Change(f"app.a{number}.role.R{number}", "role", f"a{number}", Action.CREATE, None,
                           {"value": f"R{number}"}) for number in range(2500))
    comment = render_comment("p", [Outcome("nle", Plan("p", "nle", "t", changes))], budget=10**7)
    assert "```mermaid" not in comment  # its diagram is over 50,000 characters
    small = render_comment("p", [Outcome("nle", Plan("p", "nle", "t", changes[:10]))])
    assert "```mermaid" in small


@pytest.mark.usefixtures("applied")
def test_every_deletion_is_listed_however_many_there_are(project):
    """Deletions are what a reviewer must never miss: the comment lists each one outside any <details>, however
    many, whatever else is cut."""
    import json

    from tests.cli.harness import apply

    for path in (project / "applications").glob("*.yaml"):
        path.unlink()
    deletions = json.loads(idamconf("plan", "-C", str(project), "--format", "json").out)["deletions"]
    assert len(deletions) > 20
    comment = idamconf("plan", "-C", str(project), "--format", "markdown").out
    listed = comment.split("#### Deletions and replacements", 1)[1].split("\n\n", 2)[1]
    assert [line.split("`")[1] for line in listed.splitlines()[2:]] == deletions
    assert "more deletions" not in comment


def test_many_warnings_and_long_failures_still_make_a_comment_github_takes():
    """Warnings (one per application a plan deletes that the configuration never declared) and a failed plan's
    message used to be forced in whole: 400 warnings made 117,532 characters, and a message of 20 long lines
    100,752 -- GitHub refuses such a comment, and the previous one stays (found by a review in session 47). They take
    what room is left after the deletions, and say what they leave out."""
    n = 400
    changes = tuple(Change(f"app.stranger-{i}", "application", f"stranger-{i}", Action.DELETE,
                           {"displayName": "x"}, None) for i in range(n))
    warnings = tuple(f"this plan deletes app.stranger-{i}, which this configuration never declared: make sure it is "
                     "this project's to delete. " + "x" * 150 for i in range(n))
    failed = Outcome("nle", error="\n".join(["error: Graph answered 400: " + "A" * 5000] * 20))
    comment = render_comment("p", [Outcome("live", Plan("p", "live", "t", changes, warnings=warnings), "tenant t"),
                                   failed])
    assert len(comment) < LIMIT, len(comment)
    listed = comment.split("#### Deletions and replacements", 1)[1]
    assert all(f"`app.stranger-{i}`" in listed for i in range(n))  # every deletion, first
    assert "> **Warning:** this plan deletes app.stranger-0," in comment
    assert re.search(r"… and \d+ more warnings, left out of this comment", comment)
    assert "A" * 473 + "… (4527 more characters)" in comment and "A" * 474 not in comment  # 500 of each line


def test_a_comment_nothing_can_be_cut_from_says_each_environments_summary():
    """Twenty environments, each failed with a long message: the parts never cut do not fit, so the comment is each
    environment's summary alone -- never a comment GitHub refuses."""
    changes = (Change("app.gone", "application", "gone", Action.DELETE, {"displayName": "x"}, None),)
    outcomes = [Outcome(f"env{i}", error="\n".join(["error: " + "B" * 400] * 20)) for i in range(20)]
    findings = [Finding("security.secret-in-file", "error", "a secret", "remove it", "applications/a.yaml", 1, 1)]
    comment = render_comment("p", [Outcome("live", Plan("p", "live", "t", changes)), *outcomes], findings)
    assert len(comment) < LIMIT and comment.startswith("<!-- idamconf-plan -->")
    assert "**0 of validate's problems, 1 policy findings:** run idamconf validate and idamconf lint" in comment
    assert "- `live`: Plan: 0 to add, 0 to change, 1 to destroy. It destroys 1: see the full plan." in comment
    assert "- `env19`: no plan (see the run)." in comment


def test_every_change_of_access_is_listed_in_every_environment_however_large_the_plan():
    """A pull request that adds many applications and, among them, a federated credential trusting someone else's
    repository on an application that exists, a consent and a new approver: its tables, too long for the comment,
    were cut to counts per application -- in live, the last environment, `app.hr-directory-sync | 1 | 1 | 0 | 0` was
    all a reviewer saw of them. Every change of access and credentials is listed, before the tables and outside any
    <details>, in every environment (review, session 51)."""
    bulk = []
    for number in range(150):  # new applications, each with its owners (listed with the rest of it)
        name = f"team-app-{number:03d}"
        bulk += [Change(f"app.{name}", "application", name, Action.CREATE, None, {"displayName": name * 4}),
                 *(Change(f"app.{name}.role.Reader{role}", "role", name, Action.CREATE, None, {"value": "x" * 60})
                   for role in range(3)),
                 Change(f"app.{name}.owner.dave@contoso.com", "owner", name, Action.CREATE, None, {}),
                 Change(f"app.{name}.consent[Microsoft Graph/User.Read.All]", "consent", name, Action.CREATE, None,
                        {"resourceAppId": "00000003"})]
    trust = Change("app.hr-directory-sync.federated_credential[helper]", "federated_credential", "hr-directory-sync",
                   Action.CREATE, None, {"issuer": "https://token.actions.githubusercontent.com",
                                         "subject": "repo:someone-else/fork:ref:refs/heads/main"})
    consent = Change("app.hr-directory-sync.consent[Microsoft Graph/Directory.ReadWrite.All]", "consent",
                     "hr-directory-sync", Action.CREATE, None, {"resourceAppId": "00000003"})
    approver = Change("app.wordpress.role.Blog.Administrator.access_package.policy", "policy", "wordpress",
                      Action.UPDATE, {"approvers": ["a"]}, {"approvers": ["a", "mallory"]},
                      (AttributeChange("approvers", ["a"], ["a", "mallory"]),))
    gone = Change("app.wordpress.owner.bob@contoso.com", "owner", "wordpress", Action.DELETE, {}, None)
    anyone = Change("app.payments-api.service_principal", "service_principal", "payments-api", Action.UPDATE,
                    {"appRoleAssignmentRequired": True}, {"appRoleAssignmentRequired": False},
                    (AttributeChange("appRoleAssignmentRequired", True, False),))
    renamed = Change("app.payments-api", "application", "payments-api", Action.UPDATE, {"displayName": "P"},
                     {"displayName": "Payments"}, (AttributeChange("displayName", "P", "Payments"),))
    adopted = Change("app.intranet", "application", "intranet", Action.ADOPT, {"displayName": "Intranet"},
                     {"displayName": "Intranet"}, (AttributeChange("uniqueName", None, "intranet"),))
    changes = (*bulk, trust, consent, approver, gone, anyone, renamed, adopted)
    outcomes = [Outcome(environment, Plan("p", environment, "t", changes), "t")
                for environment in ("devl", "nle", "live")]
    comment = render_comment("p", outcomes)
    assert len(comment) < LIMIT
    for environment in ("devl", "nle", "live"):
        part = comment[comment.index(f"### `{environment}`"):]
        part = part[:part.index("### `", 1)] if "### `" in part[1:] else part
        start = part.index("#### Access and credentials")
        listed = part[start:part.index("\n**", start)]  # up to the table of changes, or of applications
        assert "| ➕ | `app.hr-directory-sync.federated_credential[helper]` | create: issuer " \
               '"https:\u200b//token.actions.githubusercontent.com", subject "repo:someone-else/fork:ref:refs/heads/' \
               'main" |' in listed
        assert "`app.hr-directory-sync.consent[Microsoft Graph/Directory.ReadWrite.All]` | create |" in listed
        assert "| ✏️ | `app.wordpress.role.Blog.Administrator.access_package.policy` | update: approvers |" in listed
        assert "| ✏️ | `app.payments-api.service_principal` | update: appRoleAssignmentRequired |" in listed
        assert "`app.payments-api` |" not in listed  # its display name gives nobody access
        assert "| 🔁 | `app.intranet` | adopt |" in listed  # an application that exists, managed from now on
        assert ".owner." not in listed  # a new application's owners are part of making it; a removal is above
        assert "`app.wordpress.owner.bob@contoso.com` | " in part[:start]  # (with the deletions)
        assert listed.index("hr-directory-sync") < listed.index("team-app-000")  # those of what exists first
    assert "changes, by application**" in comment  # the tables were cut, for the later environments at least
