"""config/load.py's refusals that no single file shows: an `applications/` directory that is itself a link leading
outside the configuration, and a configuration whose files each read well but break a rule across them or a rule
of the organisation -- refused by every command that loads it, before anything is written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cli.harness import edit, idamconf

HR = "applications/hr-self-service.yaml"


def test_an_applications_directory_linking_outside_is_refused(project, tmp_path):
    """Each file below it is refused, in its folders too; a folder there is no link, and is not called one."""
    outside = tmp_path / "outside"
    shutil.move(project / "applications", outside)
    (outside / "team").mkdir()
    shutil.move(outside / "wordpress.yaml", outside / "team" / "wordpress.yaml")
    os.symlink(outside, project / "applications", target_is_directory=True)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "applications/hr-self-service.yaml: error: this file links outside the configuration directory" in result.err
    assert "applications/team/wordpress.yaml: error: this file links outside" in result.err
    assert "applications/team: error" not in result.err


@pytest.mark.parametrize("command", [["emulator", "seed", "emulator/directory.yaml"], ["show", "hr-self-service"],
                                     ["credentials", "report"]])
def test_a_configuration_breaking_a_rule_across_its_files_is_refused_before_anything_is_written(project, command):
    """Every file reads well on its own; the review every 100 days is what Graph cannot schedule."""
    edit(project / HR, "        frequencyDays: 90\n", "        frequencyDays: 100\n")
    arguments = [part if part != "emulator/directory.yaml" else str(project / part) for part in command]
    result = idamconf(*arguments, "-C", str(project))
    assert result.code == 1, result.out + result.err
    assert "Graph cannot repeat a review every 100 days" in result.err
    assert not (project / ".idamconf").exists()


def test_an_override_for_an_environment_the_application_is_not_in_is_refused(project):
    """It would never be applied: the file says the application is not there."""
    edit(project / HR, "environments: [local, devl, nle, live]",
         "environments: [local, devl]\noverrides:\n  live:\n    description: In live.")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert (f"{HR}:19:3: error: overrides.live: the application is not in environment 'live' (see environments)"
            in result.err), result.err
    assert "fix: add live to environments, or remove its overrides" in result.err


def test_application_files_in_subdirectories_are_read(project):
    """applications/ may be arranged in folders: a file there is part of the configuration, its errors too."""
    (project / "applications/communications").mkdir()
    shutil.move(project / "applications/wordpress.yaml", project / "applications/communications/wordpress.yml")
    edit(project / "applications/communications/wordpress.yml", "signInAudience: AzureADMyOrg",
         "signInAudience: AzureADMyOrgs")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "applications/communications/wordpress.yml:8:17: error: signInAudience: 'AzureADMyOrgs' is not one of" \
        in result.err, result.err


def test_one_catalog_written_in_two_cases_is_refused(project):
    """Graph compares catalog names in any case: two spellings would be one catalog under two names here."""
    edit(project / "applications/wordpress.yaml", "    accessPackage:               # named",
         "    accessPackage:\n      catalog: eucs idam applications\n      # named")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "Graph compares catalog names case-insensitively, so they are one catalog" in result.err, result.err
    assert "fix: write the catalog's name one way everywhere" in result.err


def test_an_empty_project_file_says_where_and_what_to_write(project):
    """An empty idamconf.yaml is refused at its first line, with what belongs there; nothing is written."""
    (project / "idamconf.yaml").write_text("# the settings come later\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "idamconf.yaml:1:1: error: the file is empty\n    fix: describe one project here\n" in result.err, \
        result.err
    assert not (project / ".idamconf").exists()


def test_a_folder_linking_outside_is_refused_and_nothing_in_it_is_read(project, tmp_path):
    """Nothing outside the configuration is read: a link to another directory is refused at the link, and the files
    there are never opened (one would be reported by its name had it been read)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "theirs.yaml").write_text("name: Not_Ours\n")
    os.symlink(outside, project / "applications" / "linked", target_is_directory=True)
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "applications/linked: error: this directory links outside the configuration directory" in result.err
    assert "Not_Ours" not in result.err and "theirs.yaml" not in result.err
    assert "1 error(s)" in result.err, result.err


def test_a_files_positions_are_not_kept_once_its_warnings_are_placed(tmp_path):
    """A file whose own checks find something (a package never reviewed) has its positions looked up for the warning's line;
    they are let go once its checks are made -- a large configuration of such files held them all for the plan's
    whole life (55 MB at 3,334 files, session 52) -- and found again, the same, when a later message needs one."""
    from idamconf.config import load

    root = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", root)
    path = root / "applications/hr-self-service.yaml"
    text = path.read_text()
    reviewed = "      accessReview: {reviewers: [frank.audit@contoso.com, erin.security@contoso.com], frequencyDays: 180}\n"
    assert reviewed in text
    path.write_text(text.replace(reviewed, "", 1))
    configuration, problems = load.read(root)
    warned = [problem for problem in problems if problem.rule == "review.required" and "hr-self-service" in
              problem.file]
    assert configuration is not None and warned
    app = next(app for app in configuration.applications if app.name == "hr-self-service")
    assert app.location.positions.values is None  # let go
    assert (app.location.line, app.app_roles[1].location.line) == (2, 22)  # and found again


def _unreviewed(root: Path) -> None:
    """hr-self-service's first package without its review: a warning of review.required (in live too), at a line of
    its own."""
    edit(root / "idamconf.yaml", "      reviewers.two: error\n", "      reviewers.two: error\n      review.required: warning\n")
    path = root / "applications/hr-self-service.yaml"
    reviewed = "      accessReview: {reviewers: [frank.audit@contoso.com, erin.security@contoso.com], frequencyDays: 180}\n"
    assert reviewed in path.read_text()
    path.write_text(path.read_text().replace(reviewed, "", 1))


def test_a_plan_looks_up_no_warnings_line_unless_it_shows_them(tmp_path, monkeypatch):
    """A plan shows a configuration's problems only beside an error: the lines of its warnings (each its file read
    again with positions: a third of the 10,000 synthetic files) are not looked up when there is none."""
    from idamconf.config import load, yamlfile

    root = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", root)
    _unreviewed(root)
    composed = []
    marks = yamlfile._marks
    monkeypatch.setattr(yamlfile, "_marks", lambda *args: composed.append(args[1]) or marks(*args))
    configuration, problems = load.read(root, warnings=False)
    assert configuration is not None and [p.rule for p in problems] == ["review.required"]
    assert not [file for file in composed if file.endswith("hr-self-service.yaml")]
    configuration, problems = load.read(root)
    assert [(p.rule, p.line > 1) for p in problems] == [("review.required", True)]
    assert [file for file in composed if file.endswith("hr-self-service.yaml")]


def test_a_plan_refused_for_an_error_places_its_warnings_as_validate_does(project):
    """Beside an error, a plan's report is validate's: the warnings too, each at its line."""
    _unreviewed(project)
    edit(project / "applications/wordpress.yaml", "  - alice.admin@contoso.com\n", "  - alice.admin\n")
    validated = idamconf("validate", "-C", str(project))
    planned = idamconf("plan", "-C", str(project), "--no-colour")
    assert validated.code == planned.code == 1
    shown = [line for line in validated.err.splitlines() if ": warning: " in line or ": error: " in line]
    assert any("[review.required]" in line and "hr-self-service.yaml:" in line for line in shown), validated.err
    assert shown == [line for line in planned.err.splitlines() if ": warning: " in line or ": error: " in line]
