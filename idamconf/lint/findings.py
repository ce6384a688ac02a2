"""`lint`: every rule on a configuration, graded per environment, in a stable order. Pure: no I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..config.access import strictest
from ..config.load import Documents
from ..config.model import Configuration
from ..config.overrides import overridden, written_by_override
from ..config.yamlfile import render_path
from . import checks
from .permissions import high_privilege
from .model import Finding
from .rules import BY_ID


def lint(configuration: Configuration | None, documents: Documents, environment: str | None = None) -> list[Finding]:
    """The organisation's rules on `configuration` and its files' YAML (`load.read_documents`), each finding once at
    the strictest severity among the environments its application is in, or at `environment`'s severity only.

    While files are broken only the document rules (security.token-lifetime, security.secret-in-file) run: with a
    `configuration` of idamconf.yaml alone (`load.project_configuration`) graded per environment, or with None (the
    project file is broken too) at each rule's default severity."""
    if configuration is None:
        hits = _document_hits(_UNGRADED, documents)
        return _sorted(_default_graded(hit) for hit in hits)
    considered = [environment] if environment else list(configuration.environments)
    hits = [*_model_hits(configuration, documents), *_document_hits(configuration, documents)]
    return _sorted(_graded(configuration, hit, considered) for hit in hits)


def weighed(found) -> list:
    """Findings in the order shown where only so many are: the comment's first 100 rows (comment/compose.py), GitHub's
    first 10 annotations of each level per step (actions/toolkit's docs/problem-matchers.md; render_github). Errors
    first, then each rule's findings after those of rules found fewer times -- so that a flood of one rule's (a
    hundred roles without a description) never pushes another's (a high-privilege permission, a warning outside
    live) out of them (review, session 51: lint's order, by file and line, did) -- each rule's in lint's order."""
    counts = Counter(finding.rule for finding in found)
    return sorted(found, key=lambda finding: (finding.severity != "error", counts[finding.rule], finding.rule))


def _sorted(findings) -> list[Finding]:
    return sorted((finding for finding in findings if finding), key=lambda f: (f.file, f.line, f.column, f.rule))


_UNGRADED = Configuration(root="", project="", default_environment="", environments={}, applications=())


def _model_hits(configuration: Configuration, documents: Documents):
    by_file = {document.file: document for document in documents.applications}
    defaults = _mapping(_mapping(documents.project.value if documents.project else None).get("defaults"))
    apps = []
    for app in configuration.applications:
        document = by_file.get(app.location.file if app.location else "")
        if document is None:
            continue
        environments = tuple(name for name in configuration.environments if app.in_environment(name))
        raw = _mapping(document.value)
        codes = tuple(raw.get(code, defaults.get(code)) for code in ("organisation", "department"))
        yield from _each_environment(app, document, environments, codes)
        yield from high_privilege(app, document, environments, _list(defaults.get("allowedPermissions")))
        apps.append((app, document, environments))
    yield from checks.duplicate_display_names(apps)


def _each_environment(app, document, environments: tuple, codes: tuple):
    """The model rules on the application as each environment has it, as validate checks it: the base model where no
    override applies, each override's own model (config/overrides.py) where one does, found at the override's lines
    for what it writes (an override giving live one owner is reported in live). A finding alike in several (the same
    rule, place and words) is one, with all their environments."""
    overridden_in = [name for name in environments if name in app.variants]
    if not overridden_in:
        yield from checks.application(app, document, environments, codes)
        return
    plain = tuple(name for name in environments if name not in app.variants)
    runs = [(app, document, plain)] if plain else []
    runs += [(app.variants[name], overridden(document, name), (name,)) for name in overridden_in]
    found: dict[tuple, checks.Hit] = {}
    for model, written, where in runs:
        for hit in checks.application(model, written, where, codes):
            if written is not document:  # said at the override's own path where it writes the value
                own = ("overrides", where[0], *hit.path)
                hit = replace(hit, document=document, path=own) if written_by_override(written, hit.path) else \
                    replace(hit, document=document)
            key = (hit.rule, document.where(hit.path, key=hit.key), hit.summary, hit.fix)
            first = found.setdefault(key, hit)
            if first is not hit:
                found[key] = replace(first, environments=first.environments + hit.environments)
    yield from found.values()


def _document_hits(configuration: Configuration, documents: Documents):
    everywhere = tuple(configuration.environments)
    if documents.project is not None:
        yield from checks.document(documents.project, everywhere)
    for document in documents.applications:
        listed = _mapping(document.value).get("environments")
        environments = tuple(name for name in everywhere if name in listed) if isinstance(listed, list) else everywhere
        yield from checks.document(document, environments)


def _graded(configuration: Configuration, hit: checks.Hit, considered: list[str]) -> Finding | None:
    environments = [name for name in considered if name in hit.environments]
    worst, note = strictest(configuration, environments, hit.rule, BY_ID[hit.rule].default)
    if worst == "off":
        return None
    return _finding(hit, worst, note.strip(" ()"))


def _default_graded(hit: checks.Hit) -> Finding:
    return _finding(hit, BY_ID[hit.rule].default, "")


def _finding(hit: checks.Hit, severity: str, note: str) -> Finding:
    line, column = hit.document.where(hit.path, key=hit.key)
    inside = hit.path[:-1] if hit.key else hit.path  # a key's finding names the key: show where the key is
    return Finding(hit.rule, severity, hit.summary, hit.fix, hit.document.file, line, column, render_path(inside),
                   note)


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []
