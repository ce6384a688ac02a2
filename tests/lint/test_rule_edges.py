"""The organisation's rules in `idamconf lint` at their edges: every form a rule names (each token lifetime setting,
each audience outside the organisation, a description of blanks), and the rules an environment named live makes
errors without being told."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import edit, idamconf

HR = "applications/hr-self-service.yaml"
BLOG = "applications/wordpress.yaml"


def lint(project, *extra: str):
    return idamconf("lint", "-C", str(project), *extra)


@pytest.mark.parametrize("key", ["MaxInactiveTime", "MaxAgeSingleFactor", "MaxAgeMultiFactor", "accessTokenExpiry",
                                 "tokenValidity", "id_token_ttl", "refreshTokenMaxAge"])
def test_every_kind_of_token_lifetime_setting_is_an_error(project, key):
    """Entra's token lifetime policy properties (MaxInactiveTime, MaxAgeSingleFactor, …) and a token's expiry,
    validity or time to live, under any spelling."""
    edit(project / BLOG, "web:\n", f"web:\n  {key}: 3600\n")
    result = lint(project)
    assert f"error: [security.token-lifetime] web: '{key}' customises token lifetimes" in result.out
    assert result.code == 1


@pytest.mark.parametrize("audience", ["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"])
def test_every_audience_beyond_the_organisation_is_reported(project, audience):
    (project / "applications/outside.yaml").write_text(
        "name: outside-app\ndisplayName: Outside App\nowners: [alice.admin@contoso.com, bob.ops@contoso.com]\n"
        f"signInAudience: {audience}\n")
    result = lint(project)
    assert (f"applications/outside.yaml:4:17: warning: [security.multi-tenant] signInAudience: signInAudience "
            f"{audience} lets accounts outside the organisation sign in") in result.out, result.out + result.err
    assert result.code == 0


def test_a_description_of_blanks_is_no_description(project):
    edit(project / HR, "description: Views own payslips and books own leave.", 'description: "   "')
    result = lint(project)
    assert f"{HR}:19:5: warning: [role.description] appRoles[0]: role 'HR.Employee' has no description" in result.out


@pytest.mark.parametrize("rule, old, new", [
    ("approvers.two", "      approvers: [carol.hr@contoso.com, bob.ops@contoso.com]\n      autoDenyDays: 7",
     "      approvers: [carol.hr@contoso.com]\n      autoDenyDays: 7"),
    ("reviewers.two", "        reviewers: [carol.hr@contoso.com, frank.audit@contoso.com]",
     "        reviewers: [frank.audit@contoso.com]"),
], ids=["approvers.two", "reviewers.two"])
def test_in_an_environment_named_live_two_approvers_and_reviewers_are_errors_unless_configured(project, rule, old,
                                                                                               new):
    """The examples spell the live rules out; without them, live is as strict by itself."""
    edit(project / "idamconf.yaml", "    rules:\n      approvers.two: error\n      reviewers.two: error\n", "")
    edit(project / HR, old, new)
    for command in ("lint", "validate"):
        result = idamconf(command, "-C", str(project))
        found = [line for line in (result.out + result.err).splitlines() if f"[{rule}]" in line]
        assert len(found) == 1 and ": error: " in found[0] and "error in live; warning in devl, local, nle" in found[0], \
            result.out + result.err
        assert result.code == 1


@pytest.mark.parametrize("permission", ["AppRoleAssignment.Grant", "RoleManagement.Read.Directory",
                                        "directory.read.all"])
def test_every_permission_of_the_named_families_is_high_privilege(project, permission):
    """AppRoleAssignment.*, RoleManagement.* and Directory.*, whatever follows, in any case."""
    edit(project / "applications/hr-directory-sync.yaml", "application: [User.Read.All, GroupMember.Read.All]",
         f"application: [{permission}]")
    result = lint(project)
    assert f"[security.high-privilege-permission] apiPermissions[0].application[0]: application permission " \
           f"{permission} of Microsoft Graph is high-privilege" in result.out, result.out + result.err


def test_a_key_with_control_characters_is_shown_escaped_in_the_finding(project):
    """A finding quotes the key as written; an escape character in it never reaches the terminal."""
    edit(project / BLOG, "web:\n", 'web:\n  "accessToken\\e[2JLifetime": 3600\n')
    result = lint(project)
    assert "\x1b" not in result.out + result.err
    assert "[security.token-lifetime] web: 'accessToken\\x1b[2JLifetime' customises token lifetimes" in result.out


def test_an_annotations_file_name_cannot_end_its_properties(project):
    """A file named with ',' and ':' (a pull request names its files) stays one property of the annotation."""
    (project / BLOG).rename(project / "applications/blog,title=x:y.yaml")
    edit(project / "applications/blog,title=x:y.yaml", "signInAudience: AzureADMyOrg",
         "signInAudience: AzureADMultipleOrgs")
    result = lint(project, "--format", "github")
    [found] = [line for line in result.out.splitlines() if "security.multi-tenant" in line]
    assert found.startswith("::warning file=applications/blog%2Ctitle=x%3Ay.yaml,line=8,col=17,title=idamconf "
                            "lint%3A security.multi-tenant::"), found


def test_a_sarif_message_quoting_brackets_cannot_make_a_link(project):
    """SARIF reads [text](target) in a message as a link: a key quoted in a finding has its brackets escaped (and
    the URL's '://' a zero-width space, so that GitHub's Markdown does not link it either)."""
    edit(project / BLOG, "web:\n", "web:\n  tokenLifetime[see](https://evil.example.com): 3600\n")
    result = lint(project, "--format", "sarif")
    [message] = [r["message"]["text"] for r in json.loads(result.out)["runs"][0]["results"]
                 if r["ruleId"] == "security.token-lifetime"]
    assert message.startswith("web: 'tokenLifetime\\[see\\](https:\u200b//evil.example.com)' customises token "
                              "lifetimes"), message


def test_an_override_is_linted_as_its_environment_has_the_application(project):
    """The model rules read each environment's application, as validate does: an override giving live a single
    owner and a multi-tenant audience is reported there, at the override's lines; what no override changes is
    reported once, for every environment."""
    path = project / "applications/orders-api.yaml"
    path.write_text(path.read_text() + "overrides:\n  live:\n    signInAudience: AzureADMultipleOrgs\n"
                    "    owners: [dave.finance@contoso.com]\n")
    lines = path.read_text().splitlines()
    audience, owners = lines.index("    signInAudience: AzureADMultipleOrgs") + 1, len(lines)
    result = lint(project)
    assert (f"applications/orders-api.yaml:{audience}:21: warning: [security.multi-tenant] overrides.live.signInAudience: "
            "signInAudience AzureADMultipleOrgs lets accounts outside the organisation sign in") in result.out, result.out
    assert f"applications/orders-api.yaml:{owners}:13: warning: [owners.two] overrides.live.owners: only 1 owner" in \
        result.out, result.out
    assert result.out.count("[owners.two]") == 1 and result.out.count("orders-api.yaml") == 2


def test_a_finding_alike_in_the_base_and_an_override_is_one_graded_over_both(project):
    """A role without a description, in a file whose live override changes only its display name: one finding,
    graded at the strictest of every environment the application is in -- live's included."""
    edit(project / HR, "description: Views own payslips and books own leave.", 'description: "   "')
    path = project / HR
    path.write_text(path.read_text() + "overrides:\n  live:\n    displayName: HR Self-Service (live)\n")
    edit(project / "idamconf.yaml", "    rules:\n      approvers.two: error\n",
         "    rules:\n      approvers.two: error\n      role.description: error\n")
    result = lint(project)
    assert result.out.count("[role.description]") == 1, result.out
    assert "error: [role.description] appRoles[0]: role 'HR.Employee' has no description (error in live; warning in " \
           "devl, local, nle)" in result.out, result.out
    assert result.code == 1


def test_a_rules_severity_in_idamconf_yaml_is_no_secret(project):
    """`environments.<env>.rules` names rules by id, and two ids name a secret: setting secret.lifetime or
    security.secret-in-file, as the README shows, was itself reported as a secret in the file (an error)."""
    edit(project / "idamconf.yaml", "  devl:\n", "  devl:\n    rules: {secret.lifetime: warning, "
         "security.secret-in-file: warning}\n")
    result = lint(project)
    assert result.code == 0 and result.out == "lint: 0 error(s), 0 warning(s) from 15 rules.\n", result.out
    assert json.loads(lint(project, "--format", "sarif").out)["runs"][0]["results"] == []
