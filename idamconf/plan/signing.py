"""Signed saved plans: proof of which job made a plan, for the job that applies it.

A saved plan is evidence of what was reviewed, never instructions (apply recomputes the plan and runs it only when
it equals the saved one: `saved.differences`). A signature adds who made it: with `IDAMCONF_PLAN_SIGNING_KEY` set,
`plan --out` signs the file with HMAC-SHA256 over its canonical JSON, including where it was made (`made_by`: the
GitHub Actions run, workflow and commit when there is one); with the key set, `apply FILE` refuses a file whose
signature is missing or wrong, and a signed file is refused where the key is not set (it cannot be checked there).

Why a shared key and not a public-key signature: the plan job and the apply job are jobs of one pipeline, and the
key lives in the protected environment both run in (a secret of that environment, never of the repository), so a
pull request's job -- which must not see it -- cannot make a plan the apply job accepts. The key is a secret: it is
read from the environment at the moment it is used, never printed, logged or written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os

from ..diagnostics import Diagnostic, DiagnosticError

KEY_VARIABLE = "IDAMCONF_PLAN_SIGNING_KEY"
ALGORITHM = "HMAC-SHA256"
MIN_KEY_LENGTH = 32
_GITHUB = ("GITHUB_REPOSITORY", "GITHUB_WORKFLOW_REF", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB",
           "GITHUB_SHA", "GITHUB_REF", "GITHUB_EVENT_NAME")


def made_by() -> dict:
    """Where this plan is being made: the GitHub Actions run's identity when there is one, and the time."""
    found = {name.lower(): os.environ[name] for name in _GITHUB if os.environ.get(name)}
    return {**found, "made_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def check_key() -> None:
    """Refuse a signing key too short to be one, before anything else is done."""
    _key()


def _key() -> bytes | None:
    key = os.environ.get(KEY_VARIABLE)
    if not key:
        return None
    if len(key) < MIN_KEY_LENGTH:
        raise DiagnosticError([Diagnostic(f"{KEY_VARIABLE} is too short to sign plans (fewer than {MIN_KEY_LENGTH} "
                                          "characters)", "use a random key of at least 32 characters, e.g. "
                                          "`openssl rand -hex 32`, kept as a secret of the protected environment")])
    return os.fsencode(key)  # the bytes the variable holds: any bytes are a value on Linux, not only UTF-8


def _canonical(document: dict) -> bytes:
    unsigned = {name: value for name, value in document.items() if name != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _mac(key: bytes, document: dict) -> str:
    return hmac.new(key, _canonical(document), hashlib.sha256).hexdigest()


def sign(document: dict) -> dict:
    """The document with its signature, if a key is set; else as it is."""
    key = _key()
    if key is None:
        return document
    return {**document, "signature": {"algorithm": ALGORITHM, "value": _mac(key, document)}}


def verify(document: dict) -> list[str]:
    """Why the document's signature does not let it be applied here; empty when it does (or neither side signs)."""
    key = _key()
    signature = document.get("signature")
    if key is None:
        if signature is None:
            return []
        return [f"Saved plan is signed, but {KEY_VARIABLE} is not set here to check its signature. Set it (the "
                "protected environment's secret), or make the plan again where this apply runs."]
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return [f"Saved plan is not signed, and {KEY_VARIABLE} is set: only plans made by a job holding the key are "
                "applied. Make the plan in the pipeline's plan job."]
    if not hmac.compare_digest(str(signature.get("value", "")), _mac(key, document)):
        return ["Saved plan's signature does not match its content: it was changed after it was made, or made with "
                "another key. Make the plan again."]
    return []


def describe(document: dict) -> str:
    """One line saying where a signed plan was made (for apply's output)."""
    made = document.get("made_by") or {}
    parts = [f"{name}={made[name]}" for name in ("github_repository", "github_workflow_ref", "github_run_id",
                                                  "github_job", "github_sha", "made_at") if made.get(name)]
    return ", ".join(parts) or "unknown"
