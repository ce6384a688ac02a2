"""The command line: parse, dispatch, map errors to exit codes. Commands live in idamconf/commands/.

Imports here stay light (no msgraph, no azure, no jsonschema) so `--help` and `validate` start fast; each command
imports what it needs when it runs.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Optional

import typer

from . import __version__

# Exit codes are 0 (success, no changes), 1 (error) and 2 (changes pending, with plan --detailed-exitcode). click
# ends a usage error (an unknown option, a missing argument, a bad value) with 2, which a pipeline running
# `plan --detailed-exitcode` would read as "changes pending": a usage error is an error, so it exits 1. The class is
# found from typer's own BadParameter (typer vendors click from 0.2x on); NoSuchOption, MissingParameter... inherit.
next(kind for kind in typer.BadParameter.__mro__ if kind.__name__ == "UsageError").exit_code = 1

app = typer.Typer(
    name="idamconf", no_args_is_help=True, add_completion=True, rich_markup_mode=None,
    help="Declarative configuration for Microsoft Entra ID app registrations: validate, plan and apply YAML "
         "against a tenant, or against the embedded Graph emulator (the default 'local' environment).",
)


def _version(shown: bool) -> None:
    if shown:
        print(f"idamconf {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print idamconf's version and exit.")) -> None:
    """Declarative configuration for Microsoft Entra ID app registrations: validate, plan and apply YAML against a
    tenant, or against the embedded Graph emulator (the default 'local' environment)."""


emulator_app = typer.Typer(no_args_is_help=True, help="Run, reset or seed the Graph emulator.")
app.add_typer(emulator_app, name="emulator")
credentials_app = typer.Typer(no_args_is_help=True, help="Report on applications' credentials (docs/credentials.md).")
app.add_typer(credentials_app, name="credentials")
saml_app = typer.Typer(no_args_is_help=True, help="SAML single sign-on applications (docs/saml.md).")
app.add_typer(saml_app, name="saml")

ConfigDir = typer.Option(Path("."), "--config-dir", "-C", help="Directory holding idamconf.yaml.",
                         file_okay=False)
Env = typer.Option(None, "--env", "-e", help="Environment from idamconf.yaml (default: its defaultEnvironment).")
# Every command that can print colour takes this one option and decides with colour.use_colour: plan, drift, apply
# (their plans) and emulator serve (its log). The others print no colour.
Colour = typer.Option(None, "--colour/--no-colour", "--color/--no-color",
                      help="Colour the output (default: on a terminal, unless NO_COLOR is set).")
Rebind = typer.Option(False, "--rebind-project",
                      help="Bind the project's record in the tenant to this configuration: after a deliberate "
                           "project rename or repository move (see docs/security.md).")
Timeout = typer.Option(1800, "--timeout", metavar="SECONDS", min=1,
                       help="Stop after this long: no request is started or retried after it (default 30 min).")


def _run(command, *args) -> None:
    from .commands import run_command

    raise typer.Exit(run_command(command, *args))


@app.command(epilog="Examples: idamconf validate -C examples | idamconf validate --format github (in a workflow) | "
                     "idamconf validate --format sarif > validate.sarif")
def validate(config_dir: Path = ConfigDir,
             output: str = typer.Option("human", "--format", help="human; github (workflow annotations at each "
                                        "file and line) or sarif (SARIF 2.1.0 for code scanning).")) -> None:
    """Check the configuration: schema, duplicate keys, names, roles, owners. Never contacts a tenant."""
    _run("validate", config_dir, _format(output, "human", "github", "sarif"))


@app.command(epilog="Examples: idamconf lint -C examples | idamconf lint -e live | "
                     "idamconf lint --format sarif > lint.sarif")
def lint(config_dir: Path = ConfigDir,
         env: Optional[str] = typer.Option(None, "--env", "-e", help="Grade by this environment's severities only "
                                           "(default: the strictest among each application's environments)."),
         output: str = typer.Option("human", "--format", help="human; github (workflow annotations at each file "
                                    "and line) or sarif (SARIF 2.1.0 for code scanning); validate's problems are "
                                    "among the findings, in each format.")
         ) -> None:
    """Check the organisation's rules: named checks with stable ids and a severity per environment, at file:line."""
    _run("lint", config_dir, env, _format(output, "human", "github", "sarif"))


@app.command(epilog="Examples: idamconf plan -C examples | idamconf plan -e nle --detailed-exitcode | "
                     "idamconf plan -e nle --out plan.json --format markdown > comment.md")
def plan(config_dir: Path = ConfigDir, env: Optional[str] = Env,
         detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode",
                                                help="Exit 0 when there are no changes, 2 when there are, 1 on error."),
         colour: Optional[bool] = Colour,
         out: Optional[Path] = typer.Option(None, "--out", help="Also save the plan, to apply later with "
                                            "`idamconf apply FILE` (refused if anything changed since).",
                                            dir_okay=False),
         output: str = typer.Option("human", "--format", help="human, json (schemas/plan.schema.json) or "
                                    "markdown (a pull-request comment)."),
         changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF",
                                                     help="Plan only the applications whose files changed since "
                                                          "this git ref."),
         base: Optional[str] = typer.Option(None, "--base", metavar="REF",
                                            help="The git ref whose configuration was last applied (a pull "
                                                 "request's base, e.g. origin/main): changes made outside idamconf "
                                                 "since are shown apart, as drift."),
         timeout: int = Timeout, rebind: bool = Rebind) -> None:
    """Show what apply would change in the tenant."""
    _run("plan", config_dir, env, detailed_exitcode, colour, out, _format(output, "human", "json", "markdown"),
         changed_since, timeout, rebind, base)


@app.command(epilog="Examples: idamconf environments | idamconf environments --changed-since origin/main --format json")
def environments(config_dir: Path = ConfigDir,
                 changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF",
                                                             help="Only those the change since this git ref touches."),
                 output: str = typer.Option("lines", "--format", help="lines, or json (a workflow's matrix).")
                 ) -> None:
    """List the environments a pipeline plans (tenants, never emulators), or those a change touches."""
    _run("environments", config_dir, changed_since, _format(output, "lines", "json"))


@app.command(epilog="Example: idamconf comment -C config --plans plans/ --environment devl --environment live "
                     "> comment.md")
def comment(config_dir: Path = ConfigDir,
            plans: Path = typer.Option(Path("plans"), "--plans", metavar="DIR", file_okay=False,
                                       help="Where the plan jobs left <environment>.json (plan --out) or "
                                            "<environment>.error (what a failed plan said)."),
            environment: Optional[list[str]] = typer.Option(None, "--environment", metavar="ENV",
                                                            help="An environment to report on, planned or not "
                                                                 "(repeatable; default: those in --plans)."),
            commit: Optional[str] = typer.Option(None, "--commit", metavar="SHA", help="The commit planned.")) -> None:
    """Write the pull request's one comment (Markdown, on stdout): validate's problems, lint's findings and each
    environment's plan or why it has none, within GitHub's size limit."""
    _run("comment", config_dir, plans, _environments(environment), commit)


def _environments(values: Optional[list[str]]) -> Optional[list[str]]:
    """Repeated, comma-separated, or a JSON list (a workflow's matrix, as `idamconf environments --format json`
    wrote it). Each a name idamconf.yaml could give an environment: it names files in --plans, and a name such as
    `../x` would read outside it."""
    from . import jsonread
    from .config.model import ENVIRONMENT_NAME

    names = []
    for value in values or ():
        try:
            listed = jsonread.loads(value) if value.lstrip().startswith("[") else value.split(",")
        except ValueError:
            raise typer.BadParameter(f"'{_shortened(value)}' is not a JSON list of names",
                                     param_hint="--environment") from None
        names += [str(name).strip() for name in listed]  # (a number, a list, null: not a name, as said below)
    for name in names:
        if name and not ENVIRONMENT_NAME.fullmatch(name):
            raise typer.BadParameter(f"'{_shortened(name)}' is not an environment name (lowercase letters, "
                                     "digits and hyphens, as idamconf.yaml names them)", param_hint="--environment")
    return list(dict.fromkeys(name for name in names if name)) or None


def _shortened(text: str) -> str:
    return text if len(text) <= 80 else text[:80] + "..."


@app.command(epilog="Examples: idamconf drift -e live | idamconf drift -e nle --format markdown > drift.md")
def drift(config_dir: Path = ConfigDir, env: Optional[str] = Env, colour: Optional[bool] = Colour,
          output: str = typer.Option("human", "--format", help="human, json (schemas/plan.schema.json) or markdown "
                                     "(an issue's body)."),
          timeout: int = Timeout, rebind: bool = Rebind) -> None:
    """Show what changed in the tenant outside idamconf (for a scheduled job): exit 0 if nothing, 2 on drift, 1 on
    error. Changes nothing."""
    _run("drift", config_dir, env, _format(output, "human", "json", "markdown"), colour, timeout, rebind)


@app.command(epilog="Examples: idamconf apply -C examples | idamconf apply -e live --auto-approve --allow-delete | "
                     "idamconf apply plan.json --auto-approve")
def apply(plan_file: Optional[Path] = typer.Argument(None, metavar="[PLAN_FILE]", dir_okay=False,
                                                     help="A plan saved by `plan --out`: applied only if nothing "
                                                          "it read has changed since."),
          config_dir: Path = ConfigDir, env: Optional[str] = Env,
          auto_approve: bool = typer.Option(False, "--auto-approve", help="Do not ask for confirmation (pipelines)."),
          allow_delete: bool = typer.Option(False, "--allow-delete",
                                            help="Allow the plan to take access away: delete applications, "
                                                 "roles, owners or access packages, or disable roles."),
          colour: Optional[bool] = Colour,
          output: str = typer.Option("human", "--format", help="human; json (a machine-readable report) or markdown "
                                     "(a comment for the merged pull request)."),
          timeout: int = Timeout, rebind: bool = Rebind,
          lock_wait: int = typer.Option(300, "--lock-wait", metavar="SECONDS", min=0,
                                        help="Wait this long for another apply of the project to finish, then "
                                             "refuse (default 5 min).")) -> None:
    """Make the tenant match the configuration: plan, confirm, then apply in dependency order."""
    _run("apply", config_dir, env, auto_approve, allow_delete, colour, plan_file,
         _format(output, "human", "json", "markdown"), timeout, rebind, lock_wait)


@app.command(epilog="Examples: idamconf show crm -e nle | idamconf show crm -e live --format json")
def show(name: str = typer.Argument(..., metavar="APP", help="The application's name (name: in its file)."),
         config_dir: Path = ConfigDir, env: Optional[str] = Env,
         output: str = typer.Option("human", "--format", help="human or json.")) -> None:
    """Print an application's client id (appId), object id and service principal id in an environment."""
    _run("show", config_dir, name, env, _format(output, "human", "json"))


def _format(value: str, *allowed: str) -> str:
    if value not in allowed:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(allowed)}", param_hint="--format")
    return value


@credentials_app.command("report", epilog="Examples: idamconf credentials report -e live --within 45 | "
                                          "idamconf credentials report -e nle --format markdown > expiring.md")
def credentials_report(config_dir: Path = ConfigDir, env: Optional[str] = Env,
                       within: int = typer.Option(30, "--within", metavar="DAYS", min=0,
                                                  help="Days ahead that count as expiring (default 30)."),
                       output: str = typer.Option("human", "--format", help="human, json or markdown (an issue's "
                                                  "body).")) -> None:
    """Every managed application's secrets, certificates and federated credentials, with expiry and days left:
    exit 2 when one has expired or expires within --within days, 0 otherwise, 1 on error. Changes nothing."""
    _run("credentials_report", config_dir, env, within, _format(output, "human", "json", "markdown"))


@saml_app.command("metadata", epilog="Examples: idamconf saml metadata pui -e live --out pui-idp.xml")
def saml_metadata(name: str = typer.Argument(..., metavar="APP", help="The application's name (its file's name:)."),
                  config_dir: Path = ConfigDir, env: Optional[str] = Env,
                  out: Optional[Path] = typer.Option(None, "--out", help="Write the XML to this file (default: "
                                                     "standard output).", dir_okay=False)) -> None:
    """The IdP metadata of one SAML application (entity id, endpoints, signing certificate), for its service
    provider's team. Reads with the read identity; changes nothing."""
    _run("saml_metadata", config_dir, env, name, out)


@app.command(epilog="Examples: idamconf export -e nle --display-name-starts-with 'HR ' | idamconf export -e live "
                     "--app-id 7a1b2c3d-0000-4000-8000-00000000a001 | idamconf export -e devl --all --out exported")
def export(config_dir: Path = ConfigDir, env: Optional[str] = Env,
           app_id: Optional[list[str]] = typer.Option(None, "--app-id", metavar="APP_ID",
                                                      help="An application (client) id to export (repeatable)."),
           starts: Optional[str] = typer.Option(None, "--display-name-starts-with", metavar="TEXT",
                                                help="Every application whose display name starts with TEXT."),
           tag: Optional[str] = typer.Option(None, "--tag", help="Every application with this tag."),
           everything: bool = typer.Option(False, "--all", help="Every application of the tenant."),
           out: Optional[Path] = typer.Option(None, "--out", metavar="DIR", file_okay=False,
                                              help="Where to write the files (default: the configuration's "
                                                   "applications/)."),
           force: bool = typer.Option(False, "--force", help="Overwrite files that exist."),
           timeout: int = Timeout) -> None:
    """Write the tenant's applications as application files, to adopt them: one file each, in the format a person
    writes, with what a file cannot express said at its top; then validate the configuration."""
    _run("export", config_dir, env, app_id or [], starts, tag, everything, out, force, timeout)


@app.command(epilog="Examples: idamconf schema project > project.schema.json | idamconf schema --write schemas")
def schema(name: str = typer.Argument("application", help="application, project or plan"),
           write: Optional[Path] = typer.Option(None, "--write", metavar="DIR", file_okay=False,
                                                help="Write every schema into DIR instead (for editors: the "
                                                     "$schema lines of the files point there).")) -> None:
    """Print the JSON Schema of application files (or of idamconf.yaml, or of plan --format json)."""
    _run("schema", name, write)


@emulator_app.command(epilog="Example: idamconf emulator serve --port 8931 --state /tmp/tenant.db")
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on: a loopback address (127.0.0.1, ::1)."),
          port: int = typer.Option(8931, help="Port to listen on."),
          state: Path = typer.Option(Path(".idamconf/served.db"), help="SQLite state file of the emulated tenant."),
          seed: Optional[Path] = typer.Option(None, help="Seed file loaded when the state file is new."),
          faults: Optional[str] = typer.Option(None, "--faults", metavar="SPEC",
                                               help="Inject faults, e.g. seed=7,throttle=0.1,drop=0.02,lag=5s,"
                                                    "budget=S (see docs/emulator.md)."),
          allow_non_loopback: bool = typer.Option(False, "--allow-non-loopback",
                                                  help="Allow a --host other than loopback (a container's published "
                                                       "port): anyone who reaches it can change the tenant."),
          tls: bool = typer.Option(False, "--tls", help="Serve https with the emulator's own CA (its bundle's path "
                                                        "is printed: give it to clients as SSL_CERT_FILE)."),
          enforce_permissions: bool = typer.Option(False, "--enforce-permissions",
                                                   help="Accept only tokens from the tenant's own identity provider "
                                                        "and enforce Graph's permissions (kept in the state)."),
          colour: Optional[bool] = Colour) -> None:
    """Serve the Graph emulator at http(s)://HOST:PORT/v1.0 (any bearer token is accepted unless
    --enforce-permissions; loopback only)."""
    _run("emulator_serve", host, port, state, seed, faults, allow_non_loopback, tls, enforce_permissions, colour)


@emulator_app.command(epilog="Example: idamconf emulator token -C examples --app expenses --user "
                               "frank.audit@contoso.com")
def token(app_name: Optional[str] = typer.Option(None, "--app", help="The application (its name, app id or display "
                                                                      "name) the token is for."),
          user: Optional[str] = typer.Option(None, "--user", help="The user principal name it is issued to."),
          scope: Optional[list[str]] = typer.Option(None, "--scope", help="A scope the application exposes "
                                                                          "(repeatable; default: all of them)."),
          config_dir: Path = ConfigDir, env: Optional[str] = Env,
          state: Optional[Path] = typer.Option(None, help="A state file to use instead."),
          url: str = typer.Option("https://127.0.0.1:8931", help="The served emulator's origin: the token's issuer."),
          federated: bool = typer.Option(False, "--federated", help="A workload-identity (federated) token instead."),
          issuer: str = typer.Option("https://token.actions.githubusercontent.com", help="--federated: its issuer."),
          subject: Optional[str] = typer.Option(None, help="--federated: its subject.")) -> None:
    """Print an access token from an emulated tenant: a user's, with the app roles they hold, for your tests."""
    _run("emulator_token", app_name, user, scope or [], config_dir, env, state, url, federated, issuer, subject)


@emulator_app.command(epilog="Example: idamconf emulator reset -C examples")
def reset(config_dir: Path = ConfigDir, env: Optional[str] = Env,
          state: Optional[Path] = typer.Option(None, help="A state file to delete instead.")) -> None:
    """Forget everything in an emulated tenant (its state file); it is re-seeded on next use."""
    _run("emulator_reset", config_dir, env, state)


@emulator_app.command(epilog="Example: idamconf emulator seed examples/emulator/directory.yaml -C examples")
def seed(file: Path = typer.Argument(..., help="YAML with users (and optionally applications) to load."),
         config_dir: Path = ConfigDir, env: Optional[str] = Env,
         state: Optional[Path] = typer.Option(None, help="A state file to seed instead.")) -> None:
    """Load directory users and other fixtures into an emulated tenant."""
    _run("emulator_seed", file, config_dir, env, state)


new_typer = typer.Typer(no_args_is_help=True, help="Scaffold new configuration files.")
app.add_typer(new_typer, name="new")


@new_typer.command("app", epilog="Examples: idamconf new app crm -C examples (asks the questions) | idamconf new app "
                                 "crm --display-name CRM --owner alice.admin@contoso.com --environment nle --role 'Sales|CRM.Sales|"
                                 "Manages accounts' --approver alice.admin@contoso.com --approver bob.ops@contoso.com "
                                 "--reviewer frank.audit@contoso.com --reviewer erin.security@contoso.com "
                                 "--review-days 90 --no-input")
def new_application(
        name: str = typer.Argument(..., metavar="NAME",
                                   help="The application's stable key: lowercase letters, digits, hyphens."),
        config_dir: Path = ConfigDir,
        display_name: Optional[str] = typer.Option(None, "--display-name", help="Name shown in Entra ID."),
        description: Optional[str] = typer.Option(None, "--description", help="What it is for, who runs it."),
        owner: Optional[list[str]] = typer.Option(None, "--owner", help="Owner's user principal name (repeatable)."),
        environment: Optional[list[str]] = typer.Option(None, "--environment", metavar="ENV",
                                                        help="An environment it goes to, from idamconf.yaml "
                                                             "(repeatable; required: nothing goes to live unasked)."),
        organisation: Optional[str] = typer.Option(None, "--organisation",
                                                   help="Organisation code (default: defaults.organisation)."),
        department: Optional[str] = typer.Option(None, "--department",
                                                 help="Department code (default: defaults.department)."),
        role: Optional[list[str]] = typer.Option(None, "--role", metavar="'NAME|VALUE|DESCRIPTION'",
                                                 help="An app role (repeatable)."),
        approver: Optional[list[str]] = typer.Option(None, "--approver",
                                                     help="Approver of every role's access package (repeatable)."),
        reviewer: Optional[list[str]] = typer.Option(None, "--reviewer", help="Access reviewer (repeatable)."),
        review_days: Optional[int] = typer.Option(None, "--review-days", help="Days between access reviews "
                                                  "(30-365; multiples of 7 or 30, or 365)."),
        no_input: bool = typer.Option(False, "--no-input",
                                      help="Never prompt; refuse if answers are missing.")) -> None:
    """Write applications/NAME.yaml from the questions of a demand request (asked, or given as flags), then
    validate the configuration."""
    _run("new_app", config_dir, name, display_name, description, owner, organisation, department, role, approver,
         reviewer, review_days, no_input, environment)


def main() -> None:
    # idamconf builds hundreds of thousands of small objects at tenant scale and frees them at exit; Python's default
    # cyclic-GC thresholds scan them over and over (a plan of 1,000 applications: 3.96 s -> 3.16 s, same peak RSS).
    gc.set_threshold(100_000, 50, 100)
    try:
        app()
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    except SystemExit as done:  # how typer ends every command
        _leave(done.code)


def _leave(code) -> None:
    """Exit at once, as `sys.exit(code)` would, but without freeing one by one the objects a command built: a plan of
    10,000 applications holds some 400,000 of them (commands/session.py keeps them to the end), and freeing them
    took longer than rendering the plan. What must happen at exit still does: exit handlers run (logging's, and
    the one closing the emulator's state files: emulator/store.py) and the output is flushed."""
    import atexit
    import os

    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be said there
            pass
    os._exit(code or 0)
