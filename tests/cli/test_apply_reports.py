"""apply's reports when a step fails: every format says the apply is incomplete and exits 1 (a pipeline must stop), names
what failed with Graph's reason and what was skipped because of it, and still reports what was done. Graph refuses
every create of one application (403, as when the pipeline lacks a permission); the others are made."""

from __future__ import annotations

import json

from tests.safety.graph_view import applications
from tests.safety.wire import Rule, Scripted, graph_error

from .harness import EXAMPLE_APPLICATIONS, EXAMPLES_TO_ADD, edit, faulted, idamconf, plan
from .test_adoption import portal_made

REASON = "403 Authorization_RequestDenied: Authorization_RequestDenied (scripted by the test)"
WORDPRESS_STEPS = 19  # the application and its service principal, owners, roles, access packages and catalog entry
LOCAL_TENANT = "00000000-0000-0000-0000-00000000c001"


def refuse_wordpress(monkeypatch) -> None:
    creates = Rule(lambda request: request.method == "PATCH" and request.path == "applications(uniqueName='wordpress')",
                   graph_error(403, "Authorization_RequestDenied"), times=1000)
    faulted(monkeypatch, Scripted([creates]))


def apply_as(project, output: str):
    return idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour", "--format", output)


def test_the_json_report_of_an_incomplete_apply(project, monkeypatch):
    refuse_wordpress(monkeypatch)
    result = apply_as(project, "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert set(report) == {"format_version", "project", "environment", "tenant", "complete", "warnings", "deletions",
                           "replacements", "replaced_applications", "summary", "done", "failed", "skipped",
                           "created_applications", "saml_applications"}
    assert (report["format_version"], report["project"], report["environment"], report["tenant"]) == \
        ("1.0", "eucs-idam", "local", LOCAL_TENANT)
    assert report["complete"] is False
    assert report["summary"] == {"adopted": 0, "added": EXAMPLES_TO_ADD - WORDPRESS_STEPS, "changed": 0,
                                 "destroyed": 0, "failed": 1}
    assert report["failed"] == [{"address": "app.wordpress", "error": REASON}]
    assert len(report["skipped"]) == WORDPRESS_STEPS - 1 and "app.wordpress.service_principal" in report["skipped"]
    assert all(address.startswith("app.wordpress.") for address in report["skipped"])
    assert {"address": "app.expenses", "action": "create"} in report["done"]
    assert [made["address"] for made in report["created_applications"]] == \
        sorted(f"app.{name}" for name in EXAMPLE_APPLICATIONS - {"wordpress"})
    monkeypatch.undo()
    assert applications(project) == sorted(EXAMPLE_APPLICATIONS - {"wordpress"})


def test_the_markdown_and_human_reports_of_an_incomplete_apply(project, monkeypatch):
    refuse_wordpress(monkeypatch)
    markdown = apply_as(project, "markdown")
    assert markdown.code == 1
    assert f"**Apply incomplete: {EXAMPLES_TO_ADD - WORDPRESS_STEPS} added, 0 changed, 0 destroyed; 1 failed.**" \
        in markdown.out
    assert "| `app.wordpress` | 403 Authorization\\_RequestDenied: " in markdown.out
    assert markdown.out.endswith("</details>\n")  # one comment, as posted: no trailing blank line
    human = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour")
    assert human.code == 1
    errors = human.err.splitlines()
    assert errors[0] == f"error: app.wordpress: {REASON}"
    assert "skipped: app.wordpress.service_principal: an earlier step for its application failed" in errors
    assert len(errors) == 1 + (WORDPRESS_STEPS - 1) + 2  # the failure, each skipped step, a blank line, the verdict
    assert errors[-1] == ("Apply incomplete: 0 added, 0 changed, 0 destroyed; 1 failed. What was done stays done: "
                          "fix the cause and run apply again.")
    assert "Apply complete" not in human.out


def test_the_json_report_counts_adoptions(project):
    portal_made(project)
    result = apply_as(project, "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["complete"] is True
    assert report["summary"] == {"adopted": 1, "added": EXAMPLES_TO_ADD + 3, "changed": 1, "destroyed": 0,
                                 "failed": 0}
    assert {"address": "app.intranet", "action": "adopt"} in report["done"]


def test_the_json_report_of_an_apply_with_nothing_to_do_has_the_same_parts(project):
    """A pipeline reads the same keys whether or not there was anything to do (`summary.adopted` included)."""
    assert apply_as(project, "json").code == 0
    result = apply_as(project, "json")
    assert result.code == 0, result.err
    assert result.out.startswith('{\n  "format_version": "1.0",\n  "project": "eucs-idam",\n')  # a key a line
    report = json.loads(result.out)
    assert report == {"format_version": "1.0", "project": "eucs-idam", "environment": "local", "tenant": LOCAL_TENANT,
                      "complete": True, "warnings": [], "deletions": [], "replacements": [],
                      "replaced_applications": [],
                      "summary": {"adopted": 0, "added": 0, "changed": 0, "destroyed": 0, "failed": 0},
                      "created_applications": []}


def test_an_apply_with_nothing_to_do_says_so_in_the_format_asked(applied):
    """Nothing to do: a person sees the plan's "no changes" and no report after it; the merged pull request's comment
    (Markdown) says that nothing was changed, not a JSON document. Both exit 0."""
    human = idamconf("apply", "-C", str(applied), "--auto-approve", "--no-colour")
    assert human.code == 0, human.err
    assert human.out == plan(applied).out
    markdown = apply_as(applied, "markdown")
    assert markdown.code == 0, markdown.err
    assert markdown.out == ("<!-- idamconf-apply -->\n### idamconf apply to `local` (eucs-idam)\n\n"
                            "**No changes.** The tenant matched the configuration.\n")


def test_the_json_report_of_a_refused_apply_says_why_and_what_it_would_take_away(project):
    assert apply_as(project, "json").code == 0
    (project / "applications/payments-api.yaml").unlink()
    result = apply_as(project, "json")
    assert result.code == 1
    # laid out as every report is, a key a line: a pipeline's log is read by people too
    assert result.out.startswith('{\n  "format_version": "1.0",\n  "project": "eucs-idam",\n')
    report = json.loads(result.out)
    assert report == {"format_version": "1.0", "project": "eucs-idam", "environment": "local", "tenant": LOCAL_TENANT,
                      "complete": False, "refused": "deletions and disabled roles need --allow-delete",
                      "warnings": ["this plan deletes app.payments-api; whether this configuration ever declared them "
                                   "cannot be checked (no git history here): make sure they are yours to delete"],
                      "deletions": report["deletions"], "replacements": [],
                      "replaced_applications": [], "disabled": []}
    assert report["deletions"][-1] == "app.payments-api" and len(report["deletions"]) == 5
    assert "payments-api" in applications(project)  # nothing was deleted


def test_an_application_whose_service_principal_failed_shows_which_id_was_not_created(project, monkeypatch):
    principals = Rule(lambda request: request.method == "PATCH" and request.path.startswith("servicePrincipals(appId="),
                      graph_error(403, "Authorization_RequestDenied"), times=1000)
    faulted(monkeypatch, Scripted([principals]))
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour")
    assert result.code == 1
    lines = result.out.splitlines()
    wordpress = lines.index("  + app.wordpress")
    assert lines[wordpress + 3] == "      service principal id  (not created)"
    assert lines[wordpress + 1].startswith("      client id (appId)     ") and "(not created)" not in lines[wordpress + 1]
    assert "\n\nApplications created (give the client id to the team that asked for it):\n  + app." in result.out


def test_a_human_apply_lists_what_it_destroyed_first_with_what_became_of_each(project):
    assert idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour").code == 0
    (project / "applications/payments-api.yaml").unlink()
    result = idamconf("apply", "-C", str(project), "--auto-approve", "--allow-delete", "--no-colour")
    assert result.code == 0, result.err
    assert result.out.endswith(
        "\nDeletions and replacements:\n"
        "  - app.payments-api.catalog[EUCS IDAM applications]  (destroy): done\n"
        "  - app.payments-api.role.Payments.Auditor.access_package  (destroy): done\n"
        "  - app.payments-api.role.Payments.Auditor.access_package.role_scope  (destroy): done\n"
        "  - app.payments-api.role.Payments.Auditor.access_package.policy  (destroy): done\n"
        "  - app.payments-api  (destroy): done\n\nApply complete: 0 added, 0 changed, 5 destroyed.\n")


def test_the_json_report_says_why_an_apply_changed_nothing(project, monkeypatch):
    """A pipeline reads why nothing was done from the report, not only from the exit code: an apply nobody confirmed
    (no terminal, no --auto-approve), one another apply keeps out, one whose tenant changed after its plan."""
    from idamconf.record import configuration_home, lease

    from .harness import applications as names_shown
    from .test_project_record import later, set_notes
    from .test_saved_plans import out_of_band

    assert apply_as(project, "json").code == 0
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")

    def refused(result) -> str:
        assert result.code == 1, result.err
        report = json.loads(result.out)
        assert report["complete"] is False and "summary" not in report and report["project"] == "eucs-idam"
        assert names_shown(project)["wordpress"]["displayName"] == "WordPress Blog"  # nothing was changed
        return report["refused"]

    unconfirmed = idamconf("apply", "-C", str(project), "--no-colour", "--format", "json")
    assert refused(unconfirmed) == "not confirmed (use --auto-approve in pipelines)"
    set_notes(project, home=configuration_home(project), lease={
        "holder": "x", "host": "build-agent-7", "pid": 1, "by": "GitHub Actions run 99", "until": later(10)})
    held = idamconf("apply", "-C", str(project), "--auto-approve", "--format", "json", "--lock-wait", "0")
    assert refused(held) == "another apply is running"
    assert "error: another apply of project eucs-idam is running: held by GitHub Actions run 99" in held.err
    set_notes(project, home=configuration_home(project), lease=None)
    real = lease.Lease.acquire

    async def meanwhile(self, wait, say=lambda text: None):
        out_of_band(project, "payments-api", description="changed by someone else meanwhile")
        await real(self, wait, say)
    monkeypatch.setattr(lease.Lease, "acquire", meanwhile)
    changed = apply_as(project, "json")
    assert refused(changed) == "the tenant changed after the plan was made"
    assert "The tenant changed after the plan was made (app.payments-api)" in changed.err


def test_apply_shows_its_plan_in_colour_when_asked_and_plain_in_a_pipe(project):
    coloured = idamconf("apply", "-C", str(project), "--auto-approve", "--colour")
    assert coloured.code == 0 and "\033[" in coloured.out
    edit(project / "applications/wordpress.yaml", "displayName: WordPress Blog", "displayName: Contoso Blog")
    plain = idamconf("apply", "-C", str(project), "--auto-approve")  # no flag: stdout is a pipe here
    assert plain.code == 0 and "\033[" not in plain.out + plain.err and "Contoso Blog" in plain.out


def test_a_human_apply_says_what_became_of_each_change_line_by_line(project):
    """Each change of the chain of an application gets its own line as it is done, with the word for what was done:
    created, added, updated, disabled (a role's step before it changes or goes), removed."""
    for path in (project / "applications").glob("*.yaml"):
        if path.name != "payments-api.yaml":
            path.unlink()
    first = idamconf("apply", "-C", str(project), "--auto-approve", "--no-colour")
    assert first.code == 0, first.err
    lines = first.out.splitlines()
    for line in ("  + app.payments-api: created", "  + app.payments-api.role.Payments.Read: created",
                 "  + app.payments-api.service_principal: created",
                 "  + app.payments-api.owner.dave.finance@contoso.com: added",
                 "  + app.payments-api.service_principal.owner.dave.finance@contoso.com: added"):
        assert line in lines, first.out
    changed = project / "applications/payments-api.yaml"
    edit(changed, "  hideFromUsers: true ", "  hideFromUsers: false ")
    edit(changed, "  - dave.finance@contoso.com\n  - erin", "  - frank.audit@contoso.com\n  - erin")
    edit(changed, "description: Lets a daemon read payment records.", "description: Lets a daemon read payments.")
    edit(changed, "description: Internal payments service.", "description: The payments service.")
    edit(changed, """  - displayName: Submit payments
    value: Payments.Submit
    description: Lets a daemon submit payments for settlement.
""", """  - displayName: Refund payments
    value: Payments.Refund
    description: Lets a daemon refund payments.
""")
    second = idamconf("apply", "-C", str(project), "--auto-approve", "--allow-delete", "--no-colour")
    assert second.code == 0, second.err
    lines = second.out.splitlines()
    for line in ("  ~ app.payments-api: updated", "  + app.payments-api.role.Payments.Refund: created",
                 "  - app.payments-api.role.Payments.Submit: removed",
                 "  ~ app.payments-api.service_principal: updated",
                 "  - app.payments-api.owner.dave.finance@contoso.com: removed",
                 "  + app.payments-api.owner.frank.audit@contoso.com: added",
                 "  - app.payments-api.service_principal.owner.dave.finance@contoso.com: removed",
                 "  + app.payments-api.service_principal.owner.frank.audit@contoso.com: added"):
        assert line in lines, second.out
    for role, verb in (("Read", "updated"), ("Submit", "removed")):  # disabled first, in a write of its own
        assert lines.index(f"  ~ app.payments-api.role.Payments.{role}: disabled") < \
            lines.index(f"  {'~' if verb == 'updated' else '-'} app.payments-api.role.Payments.{role}: {verb}"), \
            second.out
