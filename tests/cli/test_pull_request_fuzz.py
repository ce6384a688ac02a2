"""A differential fuzzer of pull requests' plans: for a seeded random pull request on examples/ (applied at its base
commit A), `plan --changed-since A` -- with and without what `validate` kept, with and without `--base A` -- shows,
for the applications the changed files name (now and at A), exactly the full plan's changes (docs/pipelines.md,
docs/performance.md "A pull request's plan"); it never shows a change the full plan does not make; and a
configuration the full plan refuses is refused by the pull request's plan too.

A pull request here is a random sequence of edits, each committed or left in the working tree: a field changed, a
role or package added or removed, a file added, deleted or moved (to a subdirectory, or to a name differing only
in case), an application renamed (with and without renamedFrom), idamconf.yaml's defaults changed, a file git
ignores, a file reached through a link, a broken file, and drift made in the emulated tenant itself.

The suite runs SUITE_SEEDS; more by hand, e.g. 200 seeds from 1000 on two workers (IDAMCONF_FUZZ_VERBOSE=1 with
-s prints each case's edits):
    IDAMCONF_FUZZ_SEEDS=1000:1200 nice -n 19 .venv/bin/python -m pytest -n 2 tests/cli/test_pull_request_fuzz.py
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
import yaml

from .harness import idamconf, plan
from .test_access_packages import graph
from .test_pull_request_flow import committed, git

USERS = ["alice.admin@contoso.com", "bob.ops@contoso.com", "carol.hr@contoso.com", "dave.finance@contoso.com",
         "erin.security@contoso.com", "frank.audit@contoso.com", "grace.comms@contoso.com"]


SUITE_SEEDS = [1, 5, 13, 14, 15, 18, 24, 29]  # chosen for their edits (docs/testing.md); each strict (compare)


def _seeds() -> list[int]:
    asked = os.environ.get("IDAMCONF_FUZZ_SEEDS")
    if not asked:
        return SUITE_SEEDS
    first, _, last = asked.partition(":")
    return list(range(int(first), int(last))) if last else [int(first)]


SEEDS = _seeds()


class PullRequest:
    """A seeded pull request on an applied copy of examples/: what it did (`log`), and the applications the files
    it changed name, now and at A (`named`; None when idamconf.yaml changed: every one)."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng, self.log, self.named, self.counter = root, rng, [], set(), 0
        self.extra = random.Random(rng.getstate()[1][0])  # read, not drawn: `rng`'s sequence is unchanged

    # -- the files --------------------------------------------------------------------------------------------
    def application_files(self) -> list[Path]:
        return sorted(path for path in (self.root / "applications").rglob("*.y*ml")
                      if path.suffix in (".yaml", ".yml") and not any(p.startswith(".") for p in
                                                                      path.relative_to(self.root).parts))

    def read(self, path: Path) -> dict:
        return yaml.safe_load(path.read_text())

    def write(self, path: Path, document: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))

    def names_of(self, document) -> set[str]:
        if not isinstance(document, dict):
            return set()
        return {value for value in (document.get("name"), document.get("renamedFrom")) if isinstance(value, str)}

    def touched(self, path: Path, before, after=None) -> None:
        if self.named is not None:
            self.named |= self.names_of(before) | self.names_of(after)

    def pick(self, rng: random.Random | None = None) -> Path | None:
        files = [path for path in self.application_files() if isinstance(self._safe(path), dict)]
        return (rng or self.rng).choice(files) if files else None

    def _safe(self, path: Path):
        try:
            return self.read(path)
        except (OSError, yaml.YAMLError):
            return None

    def fresh(self, what: str) -> str:
        self.counter += 1
        return f"{what} {self.counter}"

    # -- the edits --------------------------------------------------------------------------------------------
    def edit_document(self, label: str, change) -> None:
        path = self.pick()
        if path is None:
            return
        before = self.read(path)
        after = change(json.loads(json.dumps(before)))
        if after is None or after == before:
            return
        self.write(path, after)
        self.touched(path, before, after)
        self.log.append(f"{label} {path.relative_to(self.root)}")

    def field(self, document):
        key = self.rng.choice(["displayName", "description", "notes"])
        document[key] = self.fresh(f"Fuzzed {key}")
        return document

    def tags(self, document):
        document["tags"] = sorted(set(document.get("tags") or []) | {f"fuzz-{self.counter + 1}"})
        self.counter += 1
        return document

    def owners(self, document):
        document["owners"] = sorted(self.rng.sample(USERS, self.rng.randint(1, 3)))
        return document

    def role_name(self, document):
        roles = document.get("appRoles") or []
        if not roles:
            return None
        self.rng.choice(roles)["displayName"] = self.fresh("Fuzzed role")
        return document

    def add_role(self, document):
        number = self.counter = self.counter + 1
        role = {"displayName": f"Fuzz role {number}", "value": f"Fuzz.Role{number}",
                "description": f"Role {number}, added by the fuzzer."}
        if self.rng.random() < 0.5:
            people = self.rng.sample(USERS, 4)
            role["accessPackage"] = {"approvers": people[:2],
                                     "accessReview": {"reviewers": people[2:], "frequencyDays": 90}}
        document.setdefault("appRoles", []).append(role)
        return document

    def remove_role(self, document):
        roles = document.get("appRoles") or []
        if not roles:
            return None
        gone = roles.pop(self.rng.randrange(len(roles)))
        used = {entry.get("role") for entry in document.get("assignments") or []}
        if gone.get("value") in used:
            return None
        return document

    def package(self, document):
        roles = [role for role in document.get("appRoles") or [] if "User" in role.get("allowedMemberTypes", ["User"])]
        if not roles:
            return None
        role = self.rng.choice(roles)
        if "accessPackage" in role:
            del role["accessPackage"]
        else:
            people = self.rng.sample(USERS, 4)
            role["accessPackage"] = {"approvers": people[:2],
                                     "accessReview": {"reviewers": people[2:], "frequencyDays": 180}}
        return document

    def add_file(self) -> None:
        self.counter += 1
        name = f"fuzz-{self.counter}"
        folder = self.rng.choice(["", "team", "team/deeper"])
        path = self.root / "applications" / folder / f"{name}.{self.rng.choice(['yaml', 'yml'])}"
        document = new_application(name, self.rng)
        self.write(path, document)
        self.touched(path, None, document)
        self.log.append(f"add {path.relative_to(self.root)}")

    def delete_file(self) -> None:
        path = self.pick()
        if path is None:
            return
        before = self.read(path)
        path.unlink()
        self.touched(path, before)
        self.log.append(f"delete {path.relative_to(self.root)}")

    def move_file(self) -> None:
        path = self.pick()
        if path is None or path.is_symlink():
            return
        how = self.rng.choice(["subdirectory", "case", "extension"])
        if how == "subdirectory":
            target = self.root / "applications" / self.rng.choice(["moved", "team/moved"]) / path.name
        elif how == "case":
            target = path.with_name(path.stem.capitalize() if path.stem.islower() else path.stem.lower())
            target = target.with_suffix(path.suffix)
        else:
            target = path.with_suffix(".yml" if path.suffix == ".yaml" else ".yaml")
        if target.exists() or target == path:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        document = self.read(path)
        if self.rng.random() < 0.5 and self._tracked(path):
            git(self.root, "mv", str(path), str(target))
        else:
            path.rename(target)
        self.touched(path, document)
        self.log.append(f"move ({how}) {path.relative_to(self.root)} -> {target.relative_to(self.root)}")

    def _tracked(self, path: Path) -> bool:
        return bool(git(self.root, "ls-files", "--", str(path)).strip())

    def rename_application(self, document):
        old = document["name"]
        document["name"] = f"{old[:40]}-r{self.counter + 1}"
        self.counter += 1
        if self.rng.random() < 0.5 and "renamedFrom" not in document:
            document["renamedFrom"] = old
        return document

    def project_defaults(self) -> None:
        path = self.root / "idamconf.yaml"
        text = path.read_text()
        self.counter += 1
        path.write_text(text.replace("department: idam", f"department: idam{self.counter}", 1)
                        if "department: idam\n" in text else text + f"# fuzzed {self.counter}\n")
        self.named = None
        self.log.append("idamconf.yaml defaults")

    def ignored_file(self) -> None:
        gitignore = self.root / ".gitignore"
        if "applications/local-*" not in gitignore.read_text():
            gitignore.write_text(gitignore.read_text() + "applications/local-*\n")
        self.counter += 1
        name = f"local-{self.counter}"
        path = self.root / "applications" / f"{name}.yaml"
        document = new_application(name, self.rng)
        self.write(path, document)
        self.touched(path, None, document)
        self.log.append(f"ignored {path.relative_to(self.root)}")

    def linked_file(self) -> None:
        self.counter += 1
        name = f"linked-{self.counter}"
        target = self.root / "shared" / f"{name}.yaml"
        document = new_application(name, self.rng)
        self.write(target, document)
        link = self.root / "applications" / f"{name}.yaml"
        link.symlink_to(Path("..") / "shared" / target.name)
        self.touched(link, None, document)
        self.log.append(f"linked {link.relative_to(self.root)} -> shared/{target.name}")

    def case_twin(self) -> None:
        """A new application in a file whose name differs from an existing one's only in case."""
        path = self.pick()
        if path is None:
            return
        twin = path.with_name(path.stem.upper() + path.suffix)
        if twin.exists() or twin == path:
            return
        self.counter += 1
        document = new_application(f"twin-{self.counter}", self.rng)
        self.write(twin, document)
        self.touched(twin, None, document)
        self.log.append(f"case twin {twin.relative_to(self.root)} of {path.relative_to(self.root)}")

    def through_link(self) -> None:
        """A linked application file's target changed, or the link led to another target."""
        links = [path for path in self.application_files() if path.is_symlink()]
        if not links:
            return self.linked_file()
        link = self.rng.choice(links)
        before = self._safe(link)
        if self.rng.random() < 0.5 or not isinstance(before, dict):
            target = link.resolve()
            document = dict(before or {}) or new_application(link.stem, self.rng)
            document["displayName"] = self.fresh("Linked display name")
            self.write(target, document)
            self.log.append(f"edited through {link.relative_to(self.root)}")
        else:
            self.counter += 1
            document = {**before, "description": f"Another target {self.counter}."}
            target = self.root / "shared" / f"other-{self.counter}.yaml"
            self.write(target, document)
            link.unlink()
            link.symlink_to(Path("..") / "shared" / target.name)
            self.log.append(f"relinked {link.relative_to(self.root)} -> shared/{target.name}")
        self.touched(link, before, document)

    def drift_owner(self) -> None:
        """An owner removed in the tenant, outside idamconf."""
        names = [name for path in self.application_files() for name in self.names_of(self._safe(path))]
        for name in self.rng.sample(names, len(names)):
            try:
                found = graph(self.root, "GET", f"applications(uniqueName='{name}')")
                owners = graph(self.root, "GET", f"applications/{found['id']}/owners").get("value", [])
            except AssertionError:
                continue
            if owners:
                owner = self.rng.choice(owners)
                graph(self.root, "DELETE", f"applications/{found['id']}/owners/{owner['id']}/$ref")
                self.log.append(f"drift (owner {owner.get('userPrincipalName')} removed) on {name}")
                return

    def broken_file(self) -> None:
        path = self.pick()
        if path is None:
            return
        before = self.read(path)
        kind = self.rng.choice(["unknown key", "duplicate name", "not yaml"])
        if kind == "not yaml":
            path.write_text(path.read_text() + "\n  - : [\n")
        else:
            after = dict(before)
            if kind == "unknown key":
                after["displayNme"] = after.pop("displayName", "x")
            else:
                others = [self.read(p) for p in self.application_files() if p != path and isinstance(self._safe(p), dict)]
                if not others:
                    return
                after["name"] = self.rng.choice(others)["name"]
            self.write(path, after)
            self.touched(path, before, after)
        self.touched(path, before)
        self.log.append(f"broken ({kind}) {path.relative_to(self.root)}")

    def drift(self) -> None:
        names = [name for path in self.application_files() for name in self.names_of(self._safe(path))]
        found = None
        for name in self.rng.sample(names, len(names)):
            try:
                found = graph(self.root, "GET", f"applications(uniqueName='{name}')")
                break
            except AssertionError:
                continue
        if found is None:
            return
        change = self.rng.choice(["displayName", "notes", "tags"])
        # a tag of its own each time: a second drift of the same application's tags must not repeat one, which Graph
        # refuses (400 on 'tags': docs/emulator.md's tag rules)
        body = {"tags": [*found.get("tags", []), self.fresh("portal-added").replace(" ", "-")]} \
            if change == "tags" else {change: self.fresh(f"Portal {change}")}
        graph(self.root, "PATCH", f"applications/{found['id']}", body)
        self.log.append(f"drift ({change}) on {found['uniqueName']}")

    def referenced_file(self) -> None:
        """A file an application reads (its logo) changed, and no application file: which application reads it is
        known only by reading them all, so the pull request plans every one."""
        logo = self.root / "images" / "orders-portal.png"
        if not logo.is_file():
            return
        self.counter += 1
        logo.write_bytes(logo.read_bytes() + bytes([self.counter % 256]))  # (a PNG may carry bytes after its end)
        self.named = None
        self.log.append("logo changed")

    def tagged_value(self) -> None:
        """A value written with a YAML tag the configuration's loader reads as its text and PyYAML's safe loader
        refuses (`!!binary` of no base64): the pull request's scope reads the file as the loader does."""
        path = self.pick(self.extra)
        if path is None:
            return
        before = self.read(path)
        self.counter += 1
        kept, inside = [], False
        for line in path.read_text().splitlines():  # the top-level description, and the lines it continues on
            inside = line.startswith("description:") or (inside and line.startswith((" ", "\t")))
            if not inside:
                kept.append(line)
        path.write_text("\n".join(kept) + f"\ndescription: !!binary tagged-{self.counter}\n")
        self.touched(path, before)
        self.log.append(f"tagged description {path.relative_to(self.root)}")

    def step(self) -> None:
        edits = [(8, lambda: self.edit_document("field", self.field)),
                 (3, lambda: self.edit_document("tags", self.tags)),
                 (3, lambda: self.edit_document("owners", self.owners)),
                 (3, lambda: self.edit_document("role name", self.role_name)),
                 (3, lambda: self.edit_document("add role", self.add_role)),
                 (2, lambda: self.edit_document("remove role", self.remove_role)),
                 (3, lambda: self.edit_document("package", self.package)),
                 (3, lambda: self.edit_document("rename", self.rename_application)),
                 (3, self.add_file), (2, self.delete_file), (3, self.move_file), (1, self.project_defaults),
                 (2, self.ignored_file), (2, self.linked_file), (2, self.through_link), (1, self.case_twin),
                 (1, self.broken_file), (3, self.drift), (2, self.drift_owner)]
        self.rng.choices([edit for _, edit in edits], weights=[weight for weight, _ in edits])[0]()
        if self.extra.random() < 0.15:  # (session 46's edits, from a stream of their own: the seeds chosen for their
            self.extra.choice([self.referenced_file, self.tagged_value])()  # edits keep the edits they were chosen for)
        moment = self.rng.random()
        if moment < 0.35:
            git(self.root, "add", "-A")
            git(self.root, "commit", "-qm", f"step {len(self.log)}", "--allow-empty")
        elif moment < 0.5:
            git(self.root, "add", "-A")  # staged, not committed


def new_application(name: str, rng: random.Random) -> dict:
    people = rng.sample(USERS, 4)
    document = {"name": name, "displayName": f"Fuzzed application {name}",
                "description": f"{name}, made by the pull-request fuzzer.", "owners": people[:2],
                "appRoles": [{"displayName": "Reader", "value": "Fuzz.Reader", "description": "Reads."}]}
    if rng.random() < 0.5:
        document["appRoles"][0]["accessPackage"] = {
            "approvers": people[:2], "accessReview": {"reviewers": people[2:], "frequencyDays": 90}}
    return document


# -- the comparison ---------------------------------------------------------------------------------------------
def changes(result) -> dict | None:
    """The plan's changes that do something, as comparable rows; its drift addresses; or None if it failed."""
    if result.code != 0:
        return None
    document = json.loads(result.out)
    rows = {json.dumps({key: change[key] for key in ("address", "kind", "application", "action", "reason",
                                                     "attributes", "before", "after")}, sort_keys=True): change
            for change in document["changes"] if change["action"] != "no-op"}
    drift = document.get("drift") or {}
    narrowed = [warning for warning in document["warnings"] if warning.startswith("Planned only the ")]
    return {"rows": rows, "drift": set(drift.get("addresses", [])), "narrowed": bool(narrowed),
            "warnings": set(document["warnings"]) - set(narrowed),
            "overwritten": {entry["address"]: tuple(entry["paths"]) for entry in drift.get("overwritten", [])},
            "deletions": set(document["deletions"])}


def differences(full, narrowed, named: set[str] | None) -> list[str]:
    """What the narrowed plan shows that the full plan does not, and what the full plan shows of the named
    applications that the narrowed plan does not."""
    found = []
    if (full is None) != (narrowed is None):
        return [f"the full plan {'failed' if full is None else 'passed'}, the pull request's "
                f"{'failed' if narrowed is None else 'passed'}"]
    if full is None:
        return []

    if narrowed["narrowed"] and named is None:
        found.append("idamconf.yaml changed, yet the plan says it planned only some applications")
    if not narrowed["narrowed"]:
        named = None  # it says it planned every application: then it is the full plan, drift elsewhere included
    if not narrowed["warnings"] <= full["warnings"]:
        found.append(f"warnings only in the pull request's plan: {sorted(narrowed['warnings'] - full['warnings'])}")

    def ours(row: dict) -> bool:
        return named is None or row["application"] in named

    extra = [row for key, row in narrowed["rows"].items() if key not in full["rows"]]
    missing = [row for key, row in full["rows"].items() if ours(row) and key not in narrowed["rows"]]
    found += [f"only in the pull request's plan: {row['address']} {row['action']} {row['attributes']}" for row in extra]
    found += [f"hidden from the pull request's plan: {row['address']} {row['action']} {row['attributes']}"
              for row in missing]
    application = {row["address"]: row["application"] for plan_ in (full, narrowed) for row in plan_["rows"].values()}
    for what in ("drift", "deletions"):
        wanted = {a for a in full[what] if ours({"application": application.get(a, "")})}
        if not narrowed[what] <= full[what] or not wanted <= narrowed[what]:
            found.append(f"{what}: full {sorted(wanted)}, pull request's {sorted(narrowed[what])}")
    for address, paths in narrowed["overwritten"].items():
        if full["overwritten"].get(address) != paths:
            found.append(f"overwritten {address}: full {full['overwritten'].get(address)}, pull request's {paths}")
    for address, paths in full["overwritten"].items():
        if ours({"application": application.get(address, "")}) and narrowed["overwritten"].get(address) != paths:
            found.append(f"overwritten {address} hidden from the pull request's plan")
    return found


def compare(root: Path, base_commit: str, named: set[str] | None, kept: Path | None, broken: bool,
            strict: bool = False) -> list[str]:
    """Every pull request's plan of the case against the full plan (each with and without --base). `strict`: a
    full plan refused is a difference unless an edit broke a file on purpose (some edits break a configuration as
    a side effect -- a renamed client, a role a package grants removed -- and then both plans must refuse it)."""
    full = {base: plan(root, "--format", "json", *(["--base", base_commit] if base else [])) for base in (False, True)}
    found = [f"the full plan failed, though no edit broke the configuration: {result.err}"
             for result in full.values() if result.code != 0 and strict and not broken]
    if os.environ.get("IDAMCONF_FUZZ_VERBOSE"):
        print({base: (result.code, len((changes(result) or {}).get("rows", ())), result.err[-300:])
               for base, result in full.items()}, named)
    cache = root / ".idamconf" / "cache"
    for with_cache in (False, True):
        shutil.rmtree(cache, ignore_errors=True)
        if with_cache:
            if kept is None:
                continue
            shutil.copytree(kept, cache)
        for base in (False, True):
            arguments = ["--changed-since", base_commit, *(["--base", base_commit] if base else [])]
            narrowed = plan(root, "--format", "json", *arguments)
            label = f"plan {' '.join(arguments)}{' (kept files)' if with_cache else ''}"
            found += [f"{label}: {problem}" for problem in differences(changes(full[base]), changes(narrowed), named)]
            said = [result.err.count("drift is not shown apart") for result in (full[base], narrowed)]
            if base and said[0] != said[1] and full[base].code == 0:
                found.append(f"{label}: the full plan's stderr {full[base].err!r}, the pull request's {narrowed.err!r}")
    return found


def in_git(root: Path) -> None:
    """The applied tenant's project record (tests/conftest.applied) names the directory as outside git; now it is
    a repository's top (record/home.py): bound to it, as a user binds a moved configuration -- and what A adds to
    examples/ (a linked file) applied, so that A is the configuration last applied."""
    rebound = idamconf("apply", "-C", str(root), "--auto-approve", "--rebind-project")
    assert rebound.code == 0 and "Apply complete: " in rebound.out, rebound.out


def run_case(root: Path, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    linked_at_base = rng.random() < 0.3
    if linked_at_base:  # an application file that is a link already at A (its target then changed, or not)
        (root / "shared").mkdir()
        (root / "shared" / "linked-0.yaml").write_text(yaml.safe_dump(new_application("linked-0", rng)))
        (root / "applications" / "linked-0.yaml").symlink_to(Path("..") / "shared" / "linked-0.yaml")
    committed(root)
    in_git(root)
    base_commit = git(root, "rev-parse", "HEAD").strip()
    kept = None
    if rng.random() < 0.5:  # what validate kept at the base, as a pipeline restores main's
        assert idamconf("validate", "-C", str(root)).code == 0
        kept = root.parent / "kept"
        shutil.copytree(root / ".idamconf" / "cache", kept)
    request = PullRequest(root, rng)
    for _ in range(rng.randint(1, 6)):
        request.step()
    if kept is None and rng.random() < 0.5 and idamconf("validate", "-C", str(root)).code == 0:
        kept = root.parent / "kept"  # kept at the pull request's head instead
        shutil.copytree(root / ".idamconf" / "cache", kept)
    broken = any(edit.startswith("broken") for edit in request.log)
    if os.environ.get("IDAMCONF_FUZZ_VERBOSE"):
        print(seed, request.log)
    return request.log, compare(root, base_commit, request.named, kept, broken,
                                strict=seed in SUITE_SEEDS)


@pytest.mark.usefixtures("applied")
@pytest.mark.parametrize("seed", SEEDS)
def test_a_pull_requests_plan_shows_the_full_plans_changes_of_its_applications(project, seed):
    log, found = run_case(project, seed)
    assert not found, f"seed {seed}, edits {log}:\n" + "\n".join(found)
