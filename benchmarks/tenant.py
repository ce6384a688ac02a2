"""The synthetic tenants the benchmarks read, made the honest way: benchmarks/synthetic.py writes a configuration of
N applications, and idamconf's own `apply -C DIR --auto-approve` creates them in the embedded emulator
(environment `local`, state in DIR/.idamconf/local.db) -- so the tenant is exactly what a no-change plan expects.

Seeding is slow at tenant scale (docs/performance.md says how slow, and why), so a seeded configuration and state
are kept in .idamconf/bench/N/ (git ignores .idamconf/) and reused while the generator is unchanged. A reused
tenant is never trusted blindly: the measured plan runs with --detailed-exitcode and must find no changes, or the
tenant is seeded again. The seeding time reported is the one measured when the tenant was made, with its date, and
whether idamconf's code has changed since (`--reseed` measures it again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import synthetic
from .measure import IDAMCONF, ROOT, run

WORK = ROOT / ".idamconf" / "bench"
SERVED = "served"  # the environment that points at a served emulator


@dataclass(frozen=True)
class Tenant:
    count: int
    root: Path  # the configuration directory
    tag: str
    seeding: dict  # seconds, peak_rss_mb, date, summary, source; reused: made by an earlier run; current_code: and
    # by the same idamconf code as this run's

    @property
    def state(self) -> Path:
        return self.root / ".idamconf" / "local.db"

    @property
    def seed_file(self) -> Path:
        return self.root / "emulator" / "directory.yaml"


def source_digest() -> str:
    """A digest of idamconf's code: a kept tenant made by other code says so in the report."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "idamconf").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _key(count: int, surface: bool = False) -> str:
    source = (Path(synthetic.__file__)).read_bytes()
    return hashlib.sha256(source + f"{count}{'/surface' if surface else ''}".encode()).hexdigest()


def _root(count: int, surface: bool) -> Path:
    return WORK / (f"{count}-surface" if surface else str(count))


def prepare(count: int, reseed: bool = False, log=print, surface: bool = False) -> Tenant:
    """The seeded tenant of `count` applications (with the registration surface: benchmarks/synthetic.py): reused
    if an earlier run made it from the same generator."""
    root = _root(count, surface)
    record = root / "seeded.json"
    if not reseed and record.is_file() and (root / ".idamconf" / "local.db").is_file():
        kept = json.loads(record.read_text(encoding="utf-8"))
        if kept.get("key") == _key(count, surface):
            log(f"  reusing the {count:,}-application tenant seeded on {kept['seeding']['date']}")
            current = kept["seeding"].get("source") == source_digest()
            return Tenant(count, root, kept["tag"], {**kept["seeding"], "reused": True, "current_code": current})
    return seed(count, log, surface)


def seed(count: int, log=print, surface: bool = False) -> Tenant:
    root = _root(count, surface)
    shutil.rmtree(root, ignore_errors=True)
    tag = synthetic.write_configuration(root, count, surface=surface)
    log(f"  seeding {count:,} applications with `idamconf apply` against the embedded emulator ...")
    applied = run([IDAMCONF, "apply", "-C", str(root), "--auto-approve"], timeout=6 * 3600).check("seeding apply")
    summary = next((line for line in reversed(applied.out.splitlines()) if line.strip()), "")
    seeding = {"seconds": applied.seconds, "peak_rss_mb": applied.peak_rss_mb, "summary": summary,
               "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "source": source_digest()}
    (root / "seeded.json").write_text(json.dumps({"key": _key(count, surface), "tag": tag, "seeding": seeding}, indent=2),
                                      encoding="utf-8")
    log(f"  seeded in {applied.seconds:.0f} s: {summary}")
    return Tenant(count, root, tag, {**seeding, "reused": False, "current_code": True})


def generated(name: str, count: int) -> Path:
    """A configuration of `count` applications in .idamconf/bench/NAME/, written again only if the generator
    changed (no tenant: for validate, and for applies into fresh emulators)."""
    root = WORK / name
    marker = root / "generated.json"
    if not marker.is_file() or json.loads(marker.read_text(encoding="utf-8")).get("key") != _key(count):
        shutil.rmtree(root, ignore_errors=True)
        synthetic.write_configuration(root, count)
        marker.write_text(json.dumps({"key": _key(count)}), encoding="utf-8")
    return root


def point_at(root: Path, graph_url: str, **settings: str) -> None:
    """Give the configuration an environment `served` for the emulator at `graph_url` (its port changes): with the
    emulator's credential, or as `settings` say (a pipeline's sign-in: benchmarks/latency.signed_in)."""
    path = root / "idamconf.yaml"
    project = yaml.safe_load(path.read_text(encoding="utf-8"))
    project["environments"][SERVED] = {"graphUrl": graph_url, "credential": "emulator",
                                       "tenantId": synthetic.TENANT_ID, **settings}
    path.write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")


def held_by_git(root: Path, environment: str) -> None:
    """The configuration at `root` made a git repository of its own that holds it (idamconf's state left out), once:
    a plan takes what validate kept only from a configuration git holds (commands/changed.kept_files). The tenant's
    record bound the project to where the configuration was (record/home.py), so it is bound to the repository by an
    apply with --rebind-project through `environment` (one write; planning it takes as long as a plan)."""
    marker = root / ".idamconf" / "held-by-git"
    if marker.is_file():
        return
    if not (root / ".git").is_dir():
        (root / ".gitignore").write_text(".idamconf/\nseeded.json\n", encoding="utf-8")
        identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "the seeded configuration"]):
            subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)
    run([IDAMCONF, "apply", "-C", str(root), "-e", environment, "--auto-approve", "--rebind-project"],
        timeout=3600).check("rebinding the project to its repository")
    marker.write_text("", encoding="utf-8")


def people(count: int) -> int:
    """How many distinct people (owners, approvers, reviewers) the configuration of `count` applications names."""
    names: set[str] = set()
    for number in range(count):
        application = synthetic.application(number)
        names.update(application["owners"])
        for role in application["appRoles"]:
            package = role.get("accessPackage") or {}
            names.update(package.get("approvers", []))
            names.update((package.get("accessReview") or {}).get("reviewers", []))
    return len(names)
