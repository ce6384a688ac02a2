"""Findings as SARIF 2.1.0, for code-scanning annotations on a pull request. One run; rules in registry order;
results in the findings' (stable) order; artifact URIs relative to `base` with forward slashes, percent-encoded;
message text with hidden characters shown and brackets escaped (escape.sarif_text)."""

from __future__ import annotations

import os
from pathlib import Path

from .. import __version__
from ..escape import json_dumps, sarif_text, sarif_uri
from .model import Finding, Rule
from .rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://idamconf.dev/"
LEVELS = {"error": "error", "warning": "warning"}  # anything else is a note


def render(findings: list[Finding], base: Path) -> str:
    index = {rule.id: position for position, rule in enumerate(RULES)}
    driver = {"name": "idamconf", "informationUri": INFORMATION_URI, "version": __version__,
              "rules": [_rule(rule) for rule in RULES]}
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
           "results": [_result(finding, index[finding.rule], base) for finding in findings]}
    return json_dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule(rule: Rule) -> dict:
    described = {"id": rule.id, "name": rule.name, "shortDescription": {"text": rule.title},
                 "fullDescription": {"text": f"{rule.title}. {rule.help}"}, "help": {"text": rule.help},
                 "defaultConfiguration": {"level": LEVELS.get(rule.default, "note")}}
    if rule.id.startswith("security."):
        described["properties"] = {"tags": ["security"]}
    return described


def _result(finding: Finding, rule_index: int, base: Path) -> dict:
    note = f" ({finding.note})" if finding.note else ""
    location = {"physicalLocation": {
        "artifactLocation": {"uri": _uri(finding.file, base), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}}}
    return {"ruleId": finding.rule, "ruleIndex": rule_index, "level": LEVELS.get(finding.severity, "note"),
            "message": {"text": sarif_text(f"{finding.summary}{note}. Fix: {finding.fix}.")}, "locations": [location]}


def _uri(file: str, base: Path) -> str:
    relative = os.path.relpath(os.path.abspath(file), os.path.abspath(base))
    return sarif_uri(Path(relative).as_posix())
