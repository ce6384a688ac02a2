"""A pull request's plan models only the applications it needs (config/involved.py): the differential check that
it gives the answer of the whole configuration. Seeded random configurations, valid and kept by validate, are
changed at random (validate having kept the files at the pull request's base, or at a commit before it, or at its
head) -- names, keys, access package names and catalogs' spellings, identifier URIs, appIds, vault
secrets, permissions of other files' APIs, clients, grants of others' roles; files added, removed, renamed --
with a small vocabulary, so that files collide and name each other often. For each, the partial read of the
changed files' keys gives every problem the whole read gives, in the same order and at the same lines, and the
same applications for those keys and for the ones they name."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from idamconf.config import involved, known_files, load, semantics
from idamconf.config.application import unchecked
from idamconf.config.yamlfile import Document
from idamconf.config.involved import Focus
from idamconf.diagnostics import errors

NAMES = ["alpha", "beta", "gamma", "delta", "omega"]
PEOPLE = ["alice.admin@contoso.com", "bob.ops@contoso.com"]
REVIEW = {"reviewers": PEOPLE, "frequencyDays": 180}
PROJECT = """project: fuzz
defaultEnvironment: local
defaults: {organisation: eucs, department: idam, catalog: Shared}
environments:
  local: {emulator: true, tenantId: 00000000-0000-0000-0000-00000000c001, verifiedDomains: [contoso.com]}
  devl: {graphUrl: https://graph.microsoft.com/v1.0, tenantId: 00000000-0000-0000-0000-00000000d001,
         verifiedDomains: [contoso.com]}
"""
DEFAULTS = yaml.safe_load(PROJECT)["defaults"]


def reviewed(rng: random.Random) -> dict:
    """A package's review, mostly: one without is a warning (review.required), which validate keeps too."""
    return {"accessReview": REVIEW} if rng.random() < 0.75 else {}


def application(rng: random.Random, name: str) -> dict:
    """An application drawing names, URIs, packages and the like from small sets, so that two files often meet."""
    value = {"name": name, "displayName": f"{name} app", "owners": PEOPLE[:1 + rng.randrange(2)]}
    if rng.random() < 0.15:
        value["renamedFrom"] = rng.choice(NAMES) + "-old"
    if rng.random() < 0.3:
        value["environments"] = rng.choice([["local"], ["local", "devl"], ["devl"]])
    if rng.random() < 0.4:
        value["identifierUris"] = [rng.choice(["api://{tenantId}/shared-1", "api://{tenantId}/shared-2",
                                               f"api://{{tenantId}}/{name}", f"https://contoso.com/{name}"])]
    if rng.random() < 0.25:
        value["appId"] = rng.choice(["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"])
    value["appRoles"] = [{"displayName": "Reader", "value": "Reader", "allowedMemberTypes": ["User", "Application"]}]
    if rng.random() < 0.5:
        package = {"approvers": PEOPLE, **reviewed(rng)}
        if rng.random() < 0.5:
            package["name"] = rng.choice(["pkg-1", "pkg-2", f"pkg-{name}"])
        if rng.random() < 0.3:
            package["catalog"] = rng.choice(["Shared", "shared", "Other"])
        value["appRoles"][0]["accessPackage"] = package
    if rng.random() < 0.8:
        value["api"] = {"oauth2PermissionScopes": [{"value": "Use", "adminConsentDisplayName": "Use",
                                                    "adminConsentDescription": "Use it."}]}
        if rng.random() < 0.5:
            value["api"]["preAuthorizedApplications"] = [{"name": rng.choice(NAMES), "scopes": ["Use"]}]
    if rng.random() < 0.4:
        value["apiPermissions"] = [{"api": rng.choice(NAMES), **rng.choice([{"delegated": ["Use"]},
                                                                          {"application": ["Reader"]}])}]
    if rng.random() < 0.3:
        value["accessPackages"] = [{"name": rng.choice(["pkg-1", "own-1", f"own-{name}"]), "approvers": PEOPLE,
                                    **reviewed(rng),
                                    "grants": [{"application": rng.choice(NAMES), "role": "Reader"}]}]
        if rng.random() < 0.3:
            value["accessPackages"][0]["renamedFrom"] = rng.choice(["pkg-2", "own-2"])
    if rng.random() < 0.2:
        value["environments"] = ["local", "devl"]
        value["secrets"] = [{"displayName": "sign-in", "keyvault": {
            "vaultUrl": "https://contoso-fuzz.vault.azure.net", "secretName": rng.choice(["one", "two"])}}]
    if rng.random() < 0.15:
        value["overrides"] = {"devl": {"identifierUris": [rng.choice(["api://{tenantId}/shared-1",
                                                                     f"api://{{tenantId}}/{name}-devl"])]}}
        value["environments"] = ["local", "devl"]
    return value


def write(root: Path, files: dict[str, dict]) -> None:
    shutil.rmtree(root / "applications", ignore_errors=True)
    (root / "applications").mkdir(parents=True)
    for path, value in files.items():
        (root / "applications" / path).write_text(yaml.safe_dump(value, sort_keys=False))


def valid_configuration(root: Path, rng: random.Random) -> dict[str, dict]:
    """Files of a configuration that validates with no problem across files, kept by validate."""
    root.mkdir(exist_ok=True)
    (root / "idamconf.yaml").write_text(PROJECT)
    for _ in range(200):
        files = {f"{index:02d}-{name}.yaml": application(rng, name)
                 for index, name in enumerate(rng.sample(NAMES, rng.randint(3, len(NAMES))))}
        write(root, files)
        configuration, problems = load.read(root, keep=True)
        if configuration is not None and not errors(problems):
            assert known_files.load(root).apart  # what the partial read relies on
            return files
    pytest.fail("no valid configuration drawn")


def changed(rng: random.Random, files: dict[str, dict]) -> tuple[dict, set[str]]:
    """A pull request: the files now, and the paths it changed (added, removed or changed)."""
    now, paths = dict(files), set()
    for _ in range(rng.randint(1, 3)):
        what = rng.random()
        if what < 0.2 and len(now) > 1:
            path = rng.choice(sorted(now))
            del now[path]
        elif what < 0.4:
            name = rng.choice(NAMES)
            path = f"{rng.randrange(10):02d}-new-{name}.yaml"
            now[path] = application(rng, name)
        else:
            path = rng.choice(sorted(now))
            now[path] = application(rng, rng.choice(NAMES) if rng.random() < 0.3 else now[path]["name"])
        paths.add(path)
    return now, paths


def key(value: dict) -> str:
    return value.get("renamedFrom") or value["name"]


def as_they_were(earlier: list) -> tuple:
    """The models of the changed files' values at the ref, as commands/changed.narrowed_to gives them."""
    return tuple(unchecked(Document("(at the ref)", value), DEFAULTS) for _, value in earlier)


def base(configuration, earlier: list, paths: set[str]) -> list[str]:
    """The checks across files of the configuration at the ref, made as commands/base.base_beside makes them: the
    changed files as they were, and the applications of the others as read now."""
    then = [unchecked(Document(f"(then) {path}", value), DEFAULTS) for path, value in earlier]
    unchanged = [app for app in configuration.applications if Path(app.location.file).name not in paths]
    return rendered(semantics.check_across(replace(configuration, applications=tuple(then + unchanged))))


def rendered(problems) -> list[str]:
    return [problem.render() for problem in problems]


SEEDS = range(int(os.environ.get("IDAMCONF_INVOLVED_SEEDS", "60")))  # more by hand: IDAMCONF_INVOLVED_SEEDS=2000


@pytest.mark.parametrize("seed", SEEDS)
def test_a_partial_read_gives_the_whole_configurations_answer(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / "project"
    files = valid_configuration(root, rng)  # kept by validate, as the pipeline keeps main's ...
    kept = known_files.load(root)
    if rng.random() < 0.3:  # ... which the pull request's base may have moved on from since
        files, _ = changed(rng, files)
    now, paths = changed(rng, files)
    keys = {key(value) for files_ in (files, now) for path, value in files_.items() if path in paths}
    earlier = [(path, value) for path, value in files.items() if path in paths]
    write(root, now)
    whole, whole_problems = load.read(root)
    if rng.random() < 0.3 and whole is not None and not whole_problems:  # or kept at the pull request's head
        load.read(root, keep=True)
        kept = known_files.load(root)
    focus = Focus(frozenset(keys), as_they_were(earlier))
    partial, partial_problems = load.read(root, known=kept, focus=focus)
    assert rendered(partial_problems) == rendered(whole_problems)
    assert (partial is None) == (whole is None)
    if whole is None:
        return
    assert partial.digest == whole.digest
    planned = {app.key: app for app in whole.applications if app.key in keys}
    named = {name for app in planned.values() for name in involved.summary(app, whole)[3]}
    needed = [app for app in whole.applications if app.key in keys or app.name in named]
    assert [app for app in partial.applications if app in needed] == needed
    assert base(partial, earlier, paths) == base(whole, earlier, paths)  # (the base: --base REF)


def plain(name: str, **more) -> dict:
    """An application that meets no other: its own URI, no package, naming nobody."""
    return {"name": name, "displayName": f"{name} app", "owners": PEOPLE[:1], "environments": ["local", "devl"],
            "appRoles": [{"displayName": "Reader", "value": "Reader"}], **more}


def secret(name: str) -> list:
    return [{"displayName": "sign-in", "keyvault": {"vaultUrl": "https://contoso-fuzz.vault.azure.net",
                                                    "secretName": name}}]


def package(name: str, **more) -> dict:
    return {"displayName": "Reader", "value": "Reader",
            "accessPackage": {"name": name, "approvers": PEOPLE, "accessReview": REVIEW, **more}}


# (what the kept file K says, what the changed file F said at the ref, what F says now): each meets K one way only
MEETINGS = {
    "appId": ({"appId": "11111111-1111-1111-1111-111111111111"}, {},
              {"appId": "11111111-1111-1111-1111-111111111111"}),
    "vault secret": ({"secrets": secret("one")}, {}, {"secrets": secret("one")}),
    "identifier URI": ({"identifierUris": ["api://{tenantId}/shared"]}, {},
                       {"identifierUris": ["api://{tenantId}/shared"]}),
    "catalog spelled another way": ({"appRoles": [package("k-pkg", catalog="Shared")]}, {},
                                    {"appRoles": [package("f-pkg", catalog="shared")]}),
    "package renamed from a name taken": ({"appRoles": [package("k-pkg")]}, {},
                                          {"accessPackages": [{"name": "f-pkg", "renamedFrom": "k-pkg",
                                                               "approvers": PEOPLE, "accessReview": REVIEW,
                                                               "grants": [{"role": "Reader"}]}]}),
    "an API's permission it does not offer": ({}, {}, {"apiPermissions": [{"api": "k", "delegated": ["Use"]}]}),
    "a client removed": ({"api": {"oauth2PermissionScopes": [{"value": "Use", "adminConsentDisplayName": "Use",
                                                              "adminConsentDescription": "Use it."}],
                                  "preAuthorizedApplications": [{"name": "f", "scopes": ["Use"]}]}}, {}, None),
}


@pytest.mark.parametrize("meeting", MEETINGS, ids=list(MEETINGS))
@pytest.mark.parametrize("kept_at", ["ref", "head"])
def test_a_file_changed_meets_a_kept_one(tmp_path, meeting, kept_at):
    """The kept file K, which the plan would otherwise not model, meets the changed F in one way only: the problem
    it makes is found as the whole configuration finds it -- now, or (kept at the head, where validate found the
    pull request clean: F's meeting was at the ref) in the base the pull request is planned against."""
    own, apart, meeting_ = MEETINGS[meeting]
    unrelated = {f"{index:02d}-other.yaml": plain(f"other-{index}") for index in range(5)}
    separate = {"00-k.yaml": plain("k", **own), **unrelated, "50-f.yaml": plain("f", **apart)}
    meeting = {**separate, "50-f.yaml": plain("f", **meeting_)} if meeting_ is not None else \
        {path: value for path, value in separate.items() if path != "50-f.yaml"}
    at_ref, at_head = (separate, meeting) if kept_at == "ref" else (meeting, separate)
    root = tmp_path / "project"
    root.mkdir()
    (root / "idamconf.yaml").write_text(PROJECT)
    write(root, separate)
    _, problems = load.read(root, keep=True)
    assert not problems and known_files.load(root).apart
    write(root, at_head)
    earlier = [("50-f.yaml", at_ref["50-f.yaml"])] if "50-f.yaml" in at_ref else []
    focus = Focus(frozenset({"f"}), as_they_were(earlier))
    whole, whole_problems = load.read(root)
    partial, partial_problems = load.read(root, known=known_files.load(root), focus=focus)
    assert rendered(partial_problems) == rendered(whole_problems)
    if kept_at == "ref":
        assert whole_problems  # F meets K now
    else:
        assert partial.partial and base(whole, earlier, {"50-f.yaml"})  # F met K at the ref
        assert base(partial, earlier, {"50-f.yaml"}) == base(whole, earlier, {"50-f.yaml"})


def kept_others(tmp_path) -> tuple[Path, dict]:
    """A configuration of five files that meet no other, kept by validate: its directory and files."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "idamconf.yaml").write_text(PROJECT)
    files = {f"{index:02d}-other.yaml": plain(f"other-{index}") for index in range(5)}
    write(root, files)
    assert load.read(root, keep=True)[1] == []
    return root, files


@pytest.mark.parametrize("summary", ['["k","k",5,[],[]]', '["k","k",[1],[],[]]', '[1,"k",[],[],[]]', '{"a":1}',
                                     '["k","k",[],[]]', 'nope'])
def test_a_damaged_summary_has_every_file_modelled(tmp_path, summary):
    """What validate kept is trusted as far as who can write it (config/known_files.py), yet a damaged summary never
    stops a plan: every file is then modelled, with the whole configuration's answer."""
    root, files = kept_others(tmp_path)
    path = root / known_files.FILE
    head, *lines = path.read_text().splitlines()
    path.write_text("\n".join([head, *(f"{line[:67]}{summary}\t{line.partition(chr(9))[2]}" for line in lines)]))
    write(root, {**files, "00-other.yaml": plain("other-0", description="changed")})
    partial, problems = load.read(root, known=known_files.load(root), focus=Focus(frozenset({"other-0"})))
    assert problems == [] and not partial.partial and partial == load.read(root)[0]


def test_what_validate_kept_with_problems_across_files_sets_nothing_aside(tmp_path):
    """Kept files are set aside only where validate found the checks across files clean: else two of them could be
    at odds, and the report would lose it."""
    root, files = kept_others(tmp_path)
    path = root / known_files.FILE
    head, rest = path.read_text().split("\n", 1)
    path.write_text(head.replace('"clean": true', '"clean": false') + "\n" + rest)
    write(root, {**files, "00-other.yaml": plain("other-0", description="changed")})
    partial, problems = load.read(root, known=known_files.load(root), focus=Focus(frozenset({"other-0"})))
    assert problems == [] and not partial.partial and partial == load.read(root)[0]


def test_a_kept_file_whose_findings_are_damaged_is_modelled_with_what_it_names(tmp_path):
    """A kept file whose own checks' findings cannot be read is modelled (its checks made again), and so is every
    file it names: its pre-authorized client, set aside, would be "no application named" there."""
    root, files = kept_others(tmp_path)
    client = {"oauth2PermissionScopes": [{"value": "Use", "adminConsentDisplayName": "Use",
                                          "adminConsentDescription": "Use it."}],
              "preAuthorizedApplications": [{"name": "other-4", "scopes": ["Use"]}]}
    files["01-other.yaml"] = plain("other-1", api=client)
    write(root, files)
    assert load.read(root, keep=True)[1] == []
    path = root / known_files.FILE
    head, *lines = path.read_text().splitlines()
    digest = hashlib.sha256((root / "applications/01-other.yaml").read_bytes()).hexdigest()
    damaged = '[{"x": 1}]'  # (JSON, but no findings)
    path.write_text("\n".join([head, *(f"{line.split(chr(9))[0]}\t{damaged}\t{line.split(chr(9))[2]}"
                                       if line.startswith(digest) else line for line in lines)]))
    write(root, {**files, "00-other.yaml": plain("other-0", description="changed")})
    partial, problems = load.read(root, known=known_files.load(root), focus=Focus(frozenset({"other-0"})))
    assert problems == [] and partial.partial
    assert {app.name for app in partial.applications} >= {"other-0", "other-1", "other-4"}
