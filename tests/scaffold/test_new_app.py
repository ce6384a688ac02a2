"""`idamconf new app`: a demand request scaffolded from flags or from answered prompts, in a copy of examples/.
Each scaffold validates, and the next plan shows that application's creations and nothing else."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
import yaml

from typer.testing import CliRunner

from idamconf.cli import app
from idamconf.commands import new_app

from ..cli.harness import EXAMPLE_APPLICATIONS, EXAMPLE_FILES, apply, edit, idamconf, plan

FLAGS = ("--display-name", "Customer Relations", "--description", "Sales teams track customers: accounts, deals.",
         "--owner", "dave.finance@contoso.com", "--owner", "bob.ops@contoso.com",
         "--environment", "local", "--environment", "devl,nle,live",
         "--role", "Sales representative|CRM.Sales|Manages own accounts and opportunities.",
         "--approver", "dave.finance@contoso.com", "--approver", "erin.security@contoso.com",
         "--reviewer", "frank.audit@contoso.com", "--reviewer", "erin.security@contoso.com", "--review-days", "180")
CREATED = {"app.crm", "app.crm.owner.dave.finance@contoso.com", "app.crm.owner.bob.ops@contoso.com",
           "app.crm.role.CRM.Sales", "app.crm.role.CRM.Sales.access_package"}
# Prompts in order: display name, description, owners, environments, organisation, department, then per role:
# display name, value, description; package?, approvers, review?, reviewers, days; a blank role name ends the list.
ANSWERS = ["Customer Relations", "Sales teams track customers: accounts, deals.",
           "dave.finance@contoso.com, bob.ops@contoso.com", "local, devl, nle, live", "", "",
           "Sales representative", "CRM.Sales", "Manages own accounts and opportunities.",
           "y", "dave.finance@contoso.com, erin.security@contoso.com", "y",
           "frank.audit@contoso.com erin.security@contoso.com", "100", "180", ""]


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(new_app, "_terminal", lambda: True)


def addresses(text: str) -> set[str]:
    return {match[1] for match in re.finditer(r"^\s+[+~-] (\S+)", text, re.MULTILINE)}


def assert_only_crm_planned(project) -> None:
    result = plan(project)
    assert result.code == 0, result.err
    created = addresses(result.out)
    assert CREATED <= created, result.out
    assert all(address.startswith("app.crm") for address in created), result.out
    assert re.search(rf"Plan: {len(created)} to add, 0 to change, 0 to destroy\.", result.out)


def scaffolded(project) -> dict:
    path = project / "applications/crm.yaml"
    text = path.read_text()
    reference = text.splitlines()[0].removeprefix("# yaml-language-server: $schema=")
    assert reference != text.splitlines()[0] and (path.parent / reference).is_file()  # resolves, for editors
    return yaml.safe_load(text)


@pytest.mark.usefixtures("applied")
def test_flags_only_scaffold_validates_and_plans_only_itself(project):
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 0, result.err
    assert f"Configuration is valid: project 'eucs-idam', {len(EXAMPLE_APPLICATIONS) + 1} application(s)" in result.out
    assert idamconf("validate", "-C", str(project)).code == 0
    app = scaffolded(project)
    assert app["owners"] == ["dave.finance@contoso.com", "bob.ops@contoso.com"]
    assert app["appRoles"][0]["accessPackage"]["accessReview"]["frequencyDays"] == 180
    assert "organisation" not in app  # the project's default, not repeated
    assert_only_crm_planned(project)


def test_interactive_answers_give_the_same_file(project, terminal, tmp_path):
    flags_project = tmp_path / "flags"
    shutil.copytree(project, flags_project)
    assert apply(project).code == 0
    result = idamconf_with_input(["new", "app", "crm", "-C", str(project)], ANSWERS)
    assert result.exit_code == 0, result.output
    assert "Graph cannot repeat a review every 100 days" in result.output and "98 (every 14 weeks)" in result.output
    assert idamconf("new", "app", "crm", "-C", str(flags_project), "--no-input", *FLAGS).code == 0
    assert (project / "applications/crm.yaml").read_text() == (flags_project / "applications/crm.yaml").read_text()
    assert idamconf("validate", "-C", str(project)).code == 0
    assert_only_crm_planned(project)


def test_interactive_asks_only_what_the_flags_did_not_give(project, terminal):
    given = FLAGS[:4]  # display name and description
    answers = ["carol.hr@contoso.com", "devl", "", "", "Reader", "CRM.Read", "", "n", ""]
    result = idamconf_with_input(["new", "app", "crm", "-C", str(project), *given], answers)
    assert result.exit_code == 0, result.output
    assert "Display name" not in result.output
    app = scaffolded(project)
    assert app["displayName"] == "Customer Relations"
    assert app["appRoles"] == [{"displayName": "Reader", "value": "CRM.Read"}]


def test_refuses_to_overwrite(project):
    before = (project / "applications/wordpress.yaml").read_text()
    result = idamconf("new", "app", "wordpress", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 1
    assert "already exists" in result.err and "nothing was written" in result.err
    assert (project / "applications/wordpress.yaml").read_text() == before



def test_refuses_to_write_beside_a_yml_file_of_the_same_name(project):
    """applications/NAME.yml is NAME's file as much as NAME.yaml: a second file beside it is never written, whatever
    name the first declares."""
    text = (project / "applications/wordpress.yaml").read_text().replace("name: wordpress", "name: customers", 1)
    (project / "applications/crm.yml").write_text(text)
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 1
    assert "already exists" in result.err and "nothing was written" in result.err
    assert not (project / "applications/crm.yaml").exists()

def test_refuses_a_name_another_file_already_uses(project):
    (project / "applications/teams").mkdir()
    (project / "applications/teams/blog.yaml").write_text(
        (project / "applications/wordpress.yaml").read_text())
    (project / "applications/wordpress.yaml").unlink()
    result = idamconf("new", "app", "wordpress", "-C", str(project), "--no-input", *FLAGS)
    assert result.code == 1 and "already exists in" in result.err and "blog.yaml" in result.err
    assert not (project / "applications/wordpress.yaml").exists()


@pytest.mark.parametrize("name", ["CRM", "crm_app", "-crm", "crm-", "a" * 65])
def test_invalid_name_states_the_rule(project, name):
    before = sorted(p.name for p in (project / "applications").iterdir())
    result = idamconf("new", "app", "-C", str(project), "--no-input", *FLAGS, "--", name)
    assert result.code == 1
    assert f"'{name}' is not a valid application name" in result.err
    assert "lowercase letters, digits and hyphens" in result.err
    assert sorted(p.name for p in (project / "applications").iterdir()) == EXAMPLE_FILES


def test_missing_answers_without_a_terminal_list_the_flags(project):
    result = idamconf("new", "app", "crm", "-C", str(project), "--role", "Reader|CRM.Read")
    assert result.code == 1
    assert "no terminal to ask the questions" in result.err
    assert "--display-name TEXT, --owner UPN" in result.err
    for flag in ("--role", "--approver", "--reviewer", "--review-days", "--no-input"):
        assert flag in result.err
    assert not (project / "applications/crm.yaml").exists()


def test_the_example_for_missing_answers_works_as_written(project, monkeypatch, tmp_path):
    """The fix's example is the command a user copies: from another directory it names theirs (-C), and one of
    their environments; it used to leave out -C, and so failed with "no idamconf.yaml in ."."""
    monkeypatch.chdir(tmp_path)
    missing = idamconf("new", "app", "crm", "-C", str(project), "--no-input")
    example = shlex.split(" ".join(missing.err.split("Example: ", 1)[1].split("\n", 1)[0].split()))
    assert example[:2] == ["idamconf", "new"]
    result = idamconf(*example[1:])
    assert result.code == 0, result.err
    assert scaffolded(project)["name"] == "crm"


def test_no_input_refuses_even_on_a_terminal(project, terminal):
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", "--display-name", "CRM")
    assert result.code == 1 and "--no-input was given" in result.err and "--owner UPN" in result.err


def test_review_without_its_package_or_days_is_missing_answers(project):
    result = idamconf("new", "app", "crm", "-C", str(project), *FLAGS[:8], "--reviewer", "frank.audit@contoso.com")
    assert result.code == 1
    assert "--review-days N (with --reviewer)" in result.err and "--approver UPN" in result.err


@pytest.mark.parametrize("days, nearest", [(100, "98 (every 14 weeks) or 105 (every 15 weeks)"),
                                           (31, "30 (every 1 month) or 35 (every 5 weeks)"),
                                           (400, "365 (every 12 months)")])
def test_unrepresentable_review_days_suggest_the_nearest(project, days, nearest):
    flags = FLAGS[:-1] + (str(days),)
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *flags)
    assert result.code == 1
    assert f"use {nearest}" in result.err
    assert "Nothing was written" in result.err and not (project / "applications/crm.yaml").exists()


def test_bad_answers_are_all_reported_before_writing(project):
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", "--display-name", "CRM",
                      "--owner", "dave", "--role", "Reader|CRM Read", "--organisation", "E", "--environment", "nle")
    assert result.code == 1
    assert "owner 'dave'" in result.err and "role value 'CRM Read'" in result.err
    assert "organisation code 'E'" in result.err and "3 error(s)" in result.err


def idamconf_with_input(args: list[str], answers: list[str]):
    """Run the CLI answering its prompts in order (the `terminal` fixture makes it ask)."""
    result = CliRunner().invoke(app, args, input="\n".join(answers) + "\n")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_end_of_input_at_a_prompt_writes_nothing(project, terminal):
    result = idamconf_with_input(["new", "app", "crm", "-C", str(project)], ["Customer Relations"])
    assert result.exit_code == 1 and "nothing was written" in result.output
    assert not (project / "applications/crm.yaml").exists()


def one_approver_and_reviewer() -> list[str]:
    flags = [flag for flag in FLAGS if flag != "erin.security@contoso.com"]
    return [flag for i, flag in enumerate(flags) if not (flag in ("--approver", "--reviewer") and
                                                        flags[i + 1].startswith("--"))]


def test_a_file_breaking_a_live_rule_is_refused_before_it_is_written(project):
    """It was written, then failed validate: every rule of the environments it goes to is checked first."""
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *one_approver_and_reviewer())
    assert result.code == 1
    assert "[approvers.two]" in result.err and "[reviewers.two]" in result.err and "error in live" in result.err
    assert "Nothing was written" in result.err
    assert not (project / "applications/crm.yaml").exists()


def test_one_approver_is_enough_where_the_rule_is_a_warning(project):
    flags = one_approver_and_reviewer()
    where = flags.index("devl,nle,live")
    del flags[where - 1:where + 1]  # local only
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *flags)
    assert result.code == 0, result.err
    assert scaffolded(project)["environments"] == ["local"]
    assert "warning: appRoles[0].accessPackage.approvers: only 1 approver" in result.err


def test_the_environments_are_asked_and_the_live_rules_at_the_question(project, terminal):
    answers = ["Customer Relations", "", "dave.finance@contoso.com, bob.ops@contoso.com", "", "prod", "nle, live",
               "", "", "Sales", "CRM.Sales", "", "y", "dave.finance@contoso.com",
               "dave.finance@contoso.com, erin.security@contoso.com",
               "frank.audit@contoso.com, erin.security@contoso.com", "180", ""]
    result = idamconf_with_input(["new", "app", "crm", "-C", str(project)], answers)
    assert result.exit_code == 0, result.output
    assert "Environments it goes to (comma-separated, of: local, devl, nle, live)" in result.output
    assert "'prod' is not one of local, devl, nle, live" in result.output
    assert "name at least 2: the organisation's rule approvers.two is an error" in result.output
    assert "Review regularly" not in result.output  # review.required is an error in live: not a choice there
    app = scaffolded(project)
    assert app["environments"] == ["nle", "live"]
    assert app["appRoles"][0]["accessPackage"]["approvers"] == ["dave.finance@contoso.com", "erin.security@contoso.com"]
    assert app["appRoles"][0]["accessPackage"]["accessReview"]["reviewers"] == ["frank.audit@contoso.com",
                                                                                 "erin.security@contoso.com"]


def test_environments_are_required_without_a_terminal_and_must_exist(project):
    flags = [flag for flag in FLAGS if flag not in ("--environment", "local", "devl,nle,live")]
    missing = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *flags)
    assert missing.code == 1 and "--environment ENV" in missing.err
    unknown = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *flags, "--environment", "prod")
    assert unknown.code == 1 and "environment 'prod' is not in idamconf.yaml" in unknown.err
    assert not (project / "applications/crm.yaml").exists()


def test_a_package_name_another_file_uses_is_refused_before_writing(project):
    flags = [*FLAGS, "--organisation", "eucs", "--department", "idam"]
    (project / "applications/wordpress.yaml").write_text((project / "applications/wordpress.yaml").read_text()
                                                         .replace("  - displayName: Writer\n",
                                                                  "  - displayName: Writer\n")
                                                         .replace("    accessPackage:\n      approvers: [grace",
                                                                  "    accessPackage:\n      name: eucs-idam-crm-"
                                                                  "sales-representatives\n      approvers: [grace", 1))
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *flags)
    assert result.code == 1 and "access package 'eucs-idam-crm-sales-representatives'" in result.err
    assert not (project / "applications/crm.yaml").exists()


def test_a_lint_rule_made_an_error_in_its_environments_is_refused_too(project):
    edit(project / "idamconf.yaml", "      reviewers.two: error\n", "      reviewers.two: error\n      owners.two: error\n")
    flags = [flag for flag in FLAGS if flag != "bob.ops@contoso.com"]
    flags = [flag for i, flag in enumerate(flags) if not (flag == "--owner" and flags[i + 1].startswith("--"))]
    result = idamconf("new", "app", "crm", "-C", str(project), "--no-input", *flags)
    assert result.code == 1 and "[owners.two] (error in live" in result.err and "Nothing was written" in result.err
    assert not (project / "applications/crm.yaml").exists()
