"""Which applications a pull request's plan must model: the files it changed, and the files the checks across
files (config/semantics.check_across) or the plan itself could find at odds with, or naming, them.

A pull request's plan (`plan --changed-since REF`) of one file of 10,000 took most of its time modelling the 9,999
it did not change (docs/performance.md, sessions 51 and 52), for two uses only: the checks across files, and the
applications a changed one names (an API, a client, a role another file's package grants). So `idamconf validate`
keeps, beside each file's value (config/known_files.py), its *summary*: what it claims that no other file may
(`claims`: its name, its key, each access package's name in its catalog, its identifier URIs, its appId, the vault
secrets it writes), the catalogs it spells, the names of the applications it names (`refs`). A plan of some
applications then models only:

- the files not kept (changed since validate, or never validated), and kept ones whose own checks must run again;
- the files of the applications it plans (their keys, from git: commands/changed.py);
- every kept file sharing a claim with one of those, or gone since validate, naming one of them, or named by one;
- every kept file spelling a catalog another way than one of those does;
- every kept file a file above names, and so on: a modelled file's references are checked, and must be found.

Why that is the whole answer: validate keeps files only when the whole configuration was valid and its checks
across files found nothing at all (`Known.clean`), so two kept files are never at odds, under the same idamconf.yaml
(`Known.checks`: else every file is modelled). Every check across files is about two files sharing a claim or one
naming another; a check's outcome for a kept file depends only on the files sharing its claims or names, and all
of those sharing them with a file above are modelled too, in their order -- so the answer, and which file is
"first" in a message, is the one the whole configuration gives. Over-including is always safe (a claim is recorded
in every environment at once); the summary is made by `summary`, from the model, for kept and changed files alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import APP_ID, TENANT_ID, Application, Configuration


def summary(app: Application, configuration: Configuration) -> list:
    """[name, key, claims, refs, catalogs] of an application's file (see the module's notes), as JSON keeps it."""
    claims, refs, catalogs = {f"n {app.name}", f"k {app.key}"}, set(), set()
    for name, environment in configuration.environments.items():
        variant = app.for_environment(name)
        for package in variant.packages:
            catalog = configuration.catalog_for(name, package)
            catalogs.add(catalog)
            claims |= {f"p {catalog.casefold()}\0{written.casefold()}"
                       for written in (package.name, package.renamed_from) if written}
        claims |= {f"u {uri.replace(TENANT_ID, environment.tenant_id or TENANT_ID).lower()}"
                   for uri in variant.identifier_uris if APP_ID not in uri}
        claims |= {f"a {variant.app_id}"} if variant.app_id else set()
        claims |= {f"s {secret.vault_url.rstrip('/')}\0{secret.secret_name.lower()}"
                   for secret in variant.client_secrets or ()}
    for variant in (app, *app.variants.values()):
        refs |= {entry.api for entry in variant.api_permissions}
        refs |= {entry.client for entry in variant.pre_authorized if entry.by_name}
        refs |= {grant.application for package in variant.access_packages for grant in package.grants
                 if grant.application}
    return [app.name, app.key, sorted(claims), sorted(refs), sorted(catalogs)]


@dataclass
class _Around:
    """What the seeds (the files a plan models anyway) claim, are named, name, and spell their catalogs."""

    claims: set
    names: set
    refs: set
    spellings: dict  # folded catalog -> its spellings

    @classmethod
    def of(cls, summaries) -> "_Around":
        around = cls(set(), set(), set(), {})
        for name, key, claims, refs, catalogs in summaries:
            around.claims.update(claims)
            around.names |= {name, key}
            around.refs.update(refs)
            for catalog in catalogs:
                around.spellings.setdefault(catalog.casefold(), set()).add(catalog)
        return around

    def touches(self, entry: list) -> bool:
        """Whether a kept file (its summary) could be at odds with, name or be named by the seeds."""
        name, key, claims, refs, catalogs = entry
        return name in self.refs or key in self.refs or not self.names.isdisjoint(refs) or \
            not self.claims.isdisjoint(claims) or \
            any(self.spellings.get(catalog.casefold(), {catalog}) - {catalog} for catalog in catalogs)


def involved(seeds: list, kept: list) -> list[int]:
    """The indexes of the `kept` summaries a plan must model beside the `seeds`' (see the module's notes), and of
    those every one of them names, and so on: a check of a modelled file's references finds each it names (else it
    would say "no application named")."""
    around = _Around.of(seeds)
    chosen = {index for index, entry in enumerate(kept) if around.touches(entry)}
    named, holders = set().union(*(kept[index][3] for index in chosen)), None
    while named:
        if holders is None:
            holders = {}
            for index, (name, key, *_) in enumerate(kept):
                holders.setdefault(name, []).append(index)
                holders.setdefault(key, []).append(index)
        new = {index for name in named for index in holders.get(name, ()) if index not in chosen}
        chosen |= new
        named = set().union(*(kept[index][3] for index in new))
    return sorted(chosen)


@dataclass(frozen=True)
class Focus:
    """A plan of some applications: `keys`, those it plans (config/model.Application.key, from git:
    commands/changed.py); `earlier`: its changed files' models at the ref it plans since (those that read as
    applications then), whose base (commands/base.base_beside) is checked across files too; `fresh`: the sha256 of
    each changed application file's content now.

    What validate kept is never trusted for what the plan shows (config/application._from_kept): a changed file
    (`fresh`) is read from itself, and so is a kept file whose value is a planned application. The kept file is not
    in git but restored in the pipeline, where a pull request's own earlier run may have saved it (docs/security.md):
    its values could otherwise say that a changed file is as it was, or stand in for an application the pull
    request deletes, and the plan would show no change."""

    keys: frozenset
    earlier: tuple = ()
    fresh: frozenset = frozenset()

    def plans(self, app) -> bool:
        """Whether `app` (a model, or None) is an application this plan plans."""
        return app is not None and app.key in self.keys


def set_aside(focus: Focus, known, entries: list, findings: list, read: list, project: Configuration) -> set[int]:
    """The indexes of the kept files (`entries`: config/known_files.Known.take's, None where not kept) that the plan
    of `focus` need not model: only those whose own checks' findings are kept (`findings`: Known.findings'), for
    the plan gives them without the model; `read`: the files not kept, as read (None where kept). None set aside
    when what validate kept cannot say (a damaged cache)."""
    kept = [index for index, entry in enumerate(entries) if entry is not None]
    summaries, gone = known.summaries([entries[index] for index in kept]), known.summaries(known.gone())
    if summaries is None or gone is None:
        return set()
    seeds = gone + [summary(found.application, project) for found in read
                    if found is not None and found.application is not None]
    seeds += [summary(app, project) for app in focus.earlier]
    candidates = []
    for index, found in zip(kept, summaries):
        if findings[index] is not None and found[1] not in focus.keys:  # (else modelled: a seed)
            candidates.append((index, found))
        else:
            seeds.append(found)
    chosen = {candidates[position][0] for position in involved(seeds, [found for _, found in candidates])}
    return {index for index, _ in candidates} - chosen

