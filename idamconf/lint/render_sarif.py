"""Findings as SARIF 2.1.0, for code-scanning annotations on a pull request. One run; rules in registry order;
results in the findings' (stable) order; artifact URIs relative to `base` with forward slashes, percent-encoded;
message text that reads as written and is no markup, as SARIF and GitHub's Markdown read it (escape.sarif_message),
and so do the rules' descriptions and help (`_rule`).

Where in its file a finding is (`appRoles[2].value`) is said twice. In the message, first, as the text output says
it: GitHub's code scanning shows a result by its message (its first sentence where room is short) and reads
nothing of a location but the file and region. And as the location's logical location (SARIF 2.1.0 3.33:
`fullyQualifiedName`, `kind` -- a key's `property`, a list item's `value`, as the spec names places in a JSON
document), for the SARIF viewers and tools that read it."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..escape import json_dumps, md_text, sarif_message, sarif_name, sarif_uri
from .model import Finding, Rule, repository_path
from .rules import CONFIGURATION, RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://idamconf.dev/"
LEVELS = {"error": "error", "warning": "warning"}  # anything else is a note


def render(findings: list[Finding], base: Path) -> str:
    """`findings`: lint's, and validate's problems as findings (`Finding.of`) under the `configuration` rule, which
    is listed after the organisation's rules when there are any."""
    rules = RULES + ((CONFIGURATION,) if any(f.rule == CONFIGURATION.id for f in findings) else ())
    index = {rule.id: position for position, rule in enumerate(rules)}
    driver = {"name": "idamconf", "informationUri": INFORMATION_URI, "version": __version__,
              "rules": [_rule(rule) for rule in rules]}
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
           "results": [_result(finding, index[finding.rule], base) for finding in findings]}
    return json_dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule(rule: Rule) -> dict:
    """A rule as code scanning shows it beside its results, which read as written though they hold what Markdown
    and HTML would take for markup (`<organisation>`, a tag GitHub drops; `*.ReadWrite.All`, emphasis). GitHub reads
    only `text` of the short and full descriptions, and renders it as it does a result's message: escaped as one
    (sarif_message). The help is given twice, as SARIF 2.1.0 (3.12) provides: `markdown`, which GitHub documents
    it shows instead of `text` when present, as Markdown prose (md_text); and `text`, plain text to SARIF's other
    readers, as written."""
    described = {"id": rule.id, "name": rule.name, "shortDescription": {"text": sarif_message(rule.title)},
                 "fullDescription": {"text": sarif_message(f"{rule.title}. {rule.help}")},
                 "help": {"text": rule.help, "markdown": md_text(rule.help)},
                 "defaultConfiguration": {"level": LEVELS.get(rule.default, "note")}}
    if rule.id.startswith("security."):
        described["properties"] = {"tags": ["security"]}
    return described


def _result(finding: Finding, rule_index: int, base: Path) -> dict:
    inside = f"{finding.path}: " if finding.path else ""
    note = f" ({finding.note})" if finding.note else ""
    fix = f" Fix: {finding.fix}." if finding.fix else ""
    result = {"ruleId": finding.rule, "ruleIndex": rule_index, "level": LEVELS.get(finding.severity, "note"),
              "message": {"text": sarif_message(f"{inside}{finding.summary}{note}.{fix}")}}
    if finding.file:  # a problem of no file (an unknown environment) has no location
        result["locations"] = [_location(finding, base)]
    return result


def _location(finding: Finding, base: Path) -> dict:
    location = {"physicalLocation": {
        "artifactLocation": {"uri": sarif_uri(repository_path(finding.file, base)), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}}}
    if finding.path:  # a whole file's problem (a missing key) is at no place inside it
        kind = "value" if finding.path.endswith("]") else "property"
        location["logicalLocations"] = [{"fullyQualifiedName": sarif_name(finding.path), "kind": kind}]
    return location
