"""One module per command, each returning an exit code; `run_command` maps our exceptions to exit codes.

0: success (or no changes), 1: error, 2: changes pending (plan --detailed-exitcode).
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import traceback

from ..diagnostics import Diagnostic, DiagnosticError, errors
from ..escape import terminal
from ..jsonread import utf8_text


def run_command(name: str, *args) -> int:
    undecodable = not_text(args)
    if undecodable:
        return report_diagnostics(undecodable)
    try:
        module = importlib.import_module(f".{name}", __name__)
        return module.run(*args)
    except DiagnosticError as error:
        return report_diagnostics(error.diagnostics)
    except Exception as error:  # noqa: BLE001 - the one place that turns the unexpected into one line
        return _unexpected(error)


def not_text(args) -> list:
    """A diagnostic for each command-line value that is not UTF-8 text: a name, a user principal name, an
    environment, a scope or a URL arrives so (Python keeps an undecodable byte as a lone surrogate), and failed
    wherever it was encoded (SQLite, a token, a request) as an unexpected UnicodeEncodeError. Paths are Paths, and
    any bytes are a path on Linux: they are not looked at."""
    values = [value for arg in args for value in (arg if isinstance(arg, (list, tuple)) else [arg])]
    return [Diagnostic(f"the command-line value '{value}' is not UTF-8 text",
                       "give names, user principal names, environments, scopes and URLs as UTF-8 text")
            for value in values if isinstance(value, str) and not utf8_text(value)]


def report_diagnostics(diagnostics) -> int:
    for diagnostic in diagnostics:
        print(diagnostic.render(), file=sys.stderr)
    found = errors(diagnostics)
    warnings = len(diagnostics) - len(found)
    print(f"\n{len(found)} error(s), {warnings} warning(s).", file=sys.stderr)
    return 1 if found else 0


def _unexpected(error: Exception) -> int:
    from ..emulator.store import StateFileError
    from ..graph.client import GraphRequestFailed, GraphUnavailable, Unrecoverable
    from ..graph.origin import ForeignOrigin

    if isinstance(error, StateFileError):  # a state file named, or left, that is not a tenant's: a diagnostic
        return report_diagnostics([Diagnostic(str(error), error.fix, error.path)])
    if isinstance(error, BrokenPipeError):  # the reader left (`| head`): nothing more is wanted, nothing went wrong
        _quiet_stdout()
        return 0

    # Unrecoverable: one line that says what to fix (a connection's settings, an untrusted certificate, a vault)
    if isinstance(error, (GraphUnavailable, GraphRequestFailed, Unrecoverable, ForeignOrigin)):
        print(f"error: {terminal(str(error))}", file=sys.stderr)  # Graph's messages come from the tenant
        return 1
    if type(error).__module__.startswith("azure."):  # azure-identity, outside a sign-in (graph/connect.SignInFailed)
        print(f"error: signing in to Entra ID failed ({type(error).__name__}): {terminal(_first_line(error)).rstrip('. ')}. "
              "Fix: check the environment's tenantId, clientId and credential, and that this machine can reach its "
              "cloud's sign-in authority (login.microsoftonline.com for the global service).", file=sys.stderr)
        return 1
    log = _error_log("".join(traceback.format_exception(error)))
    print(f"error: unexpected {type(error).__name__}: {terminal(str(error))} (details in {log})", file=sys.stderr)
    return 1


def _quiet_stdout() -> None:
    """Standard output pointed at nothing, so that the interpreter's own flush at exit does not fail again on the
    closed pipe (Python's documentation on SIGPIPE)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _error_log(text: str) -> str:
    """A new file of its own each time, readable by this user only: a fixed name in the shared temporary directory
    could be a link planted by another user (written through, or read by them). mkstemp creates it exclusively
    (O_EXCL: never through an existing name or link), mode 0600."""
    descriptor, path = tempfile.mkstemp(prefix="idamconf-error-", suffix=".log")
    with os.fdopen(descriptor, "w", encoding="utf-8") as log:
        log.write(text)
    return path


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else "no message"
