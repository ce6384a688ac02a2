"""`make mutate`: mutation testing of the modules that carry safety rules, written to docs/testing.md.

The modules, and the tests that exercise each, are one table in pyproject.toml (`[tool.idamconf.mutate]`). Each
module is mutated on its own by mutmut 3 in a work directory of its own (`.mutate/<module>/`, a fresh copy of the
code and tests each run): mutmut runs the chosen tests once to learn which of them reach each function, then, for
every mutant (one small change: an operator, a constant, a call's argument, a returned value), only those tests,
stopping at the first failure. A mutant no test fails is a survivor; each survivor must be killed by a new test or
explained as equivalent in benchmarks/equivalent_mutants.toml (keyed by function and changed line, so that an
explanation outlives renumbering). The report -- score per module, the command, every survivor with its
explanation or UNEXPLAINED -- replaces the part of docs/testing.md between its two markers.

    python -m benchmarks.mutate                                 # every module of the table
    python -m benchmarks.mutate idamconf/plan/diff.py ...       # some (`make mutate MODULES="..."`)
    python -m benchmarks.mutate --report                        # the report again, from the last run's results
    python -m benchmarks.mutate --confirm idamconf/x.py         # its timeouts run again alone (see CONFIRM_TIMES)
    python -m benchmarks.mutate --lines                         # the one-line mutations of line_mutants/*.toml
    python -m benchmarks.mutate --lines apply                   # only those of line_mutants/apply.toml
    python -m benchmarks.mutate idamconf/apply.py --only "idamconf.apply.xǁ_ApplicationChainǁdelete__mutmut_*"

Each run's results are kept in the tree, in benchmarks/mutate_results/<module>/ (mutmut's own results per file:
each mutant's exit code and each function's hash; the timeouts run again; the survivors' diffs; the time and the
commands), and the report is written from them: a work directory does not outlive a session's checkout, the results
must. `--only GLOB` (repeatable) tests only the mutants whose names match (mutmut's own wildcards), function by
function, for a module too big for one session: the module's work directory is kept between such runs, or made
again from the kept results (mutmut keeps the result of every function whose code is unchanged, by its hash, and
tests again those of a function changed since), the tests brought up to date; so each run adds its functions'
results to the earlier ones, and the report counts every mutant not yet tested as "not tested", never as killed.
A run without `--only` starts the module afresh.

mutmut mutates functions and methods, not module-level constants (a table such as `LOOPBACK` or `RETRYABLE`):
benchmarks/line_mutants/*.toml hold one-line mutations of those, and of the safety rules as a reviewer would break
them (a condition turned round, a rule's bound moved, a check deleted); `--lines` applies each in a copy of the
tree and runs the whole suite against it (`make mutate-lines`). An entry may name `tests`, a part of the suite run
first: if that part fails, so does the whole suite (pytest -x stops at the first failure either way), and the
whole suite is run only for a mutation its part lets through. The report says which judged each.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutate"
# What each module's runs found, kept in the tree (a work directory is not: a fresh checkout has none): mutmut's own
# per-file results (`*.py.meta`: each mutant's exit code and each function's hash), the timeouts run again
# (confirmed.json), each survivor's diff (diffs.json), the time and the commands. The report is written from these;
# an `--only` run starts from them, so that mutmut keeps the results of every function whose code is unchanged.
RESULTS = ROOT / "benchmarks" / "mutate_results"
KEPT = ("confirmed.json", "diffs.json", "seconds", "command")
DOC = ROOT / "docs" / "testing.md"
EQUIVALENTS = ROOT / "benchmarks" / "equivalent_mutants.toml"
LINE_MUTANTS = ROOT / "benchmarks" / "line_mutants"  # one file per area: engineers add to theirs
BEGIN, END = "<!-- make mutate: begin -->", "<!-- make mutate: end -->"
LINES_BEGIN, LINES_END = "<!-- make mutate-lines: begin -->", "<!-- make mutate-lines: end -->"
KILLED = {"killed", "timeout", "caught by type check"}  # a mutant that makes the tests hang is detected too
# A timeout is only a kill if the tests really hang: on a shared machine mutmut's limit (a few times the unmutated
# tests' time) is also met by tests that are merely slow, and such a mutant may well pass. Each timeout is run again
# on its own (`confirm`) with CONFIRM_TIMES the time the module's tests take unmutated, measured there and then (at
# least CONFIRM_LEAST seconds): passing, it is a survivor; failing or still running then, a kill.
CONFIRM_TIMES, CONFIRM_LEAST = 5, 60


@dataclass
class Module:
    path: str  # "idamconf/plan/diff.py", or a glob: "idamconf/lint/*"
    tests: list[str]
    statuses: dict[str, str] = field(default_factory=dict)  # mutant name -> mutmut's status
    diffs: dict[str, str] = field(default_factory=dict)  # survivor -> its diff
    seconds: float = 0.0
    command: str = ""  # the command whose run these results are

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-")

    @property
    def killed(self) -> int:
        return sum(status in KILLED for status in self.statuses.values())

    @property
    def survivors(self) -> list[str]:
        return sorted((name for name, status in self.statuses.items() if status not in KILLED | {"not checked"}),
                      key=_natural)

    @property
    def unchecked(self) -> int:
        """Mutants a run stopped before testing (an interrupted run): not counted in the score."""
        return sum(status == "not checked" for status in self.statuses.values())


def table() -> dict[str, list[str]]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["idamconf"]["mutate"]


def copy_tree(work: Path, under: str = "") -> None:
    """A fresh copy in `work` of every file of the project: what git tracks and what it would (new files not yet
    added), as they are in the working tree. Every file, not a list of some: a test reading a file the list missed
    (.pre-commit-hooks.yaml, once) fails in the copy whatever is mutated, and every mutant looks killed.
    `under`: only the files under that folder, copied over those of an earlier copy (kept)."""
    if not under:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                             *([under] if under else [])], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if name.startswith(f"{RESULTS.relative_to(ROOT).as_posix()}/"):  # results, not code: of no use to a run
            continue
        source, target = ROOT / name, work / name
        if not source.is_symlink() and not source.is_file():  # deleted in the working tree, not yet in git
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)  # schemas/ stays a link to idamconf/schemas


def prepare(module: Module, resume: bool = False) -> Path:
    """A fresh copy of the code and tests, with mutmut's settings for this module; with `resume`, the results kept in
    the tree put back, for mutmut to keep those of every function whose code is unchanged (it checks each function's
    hash) and test only the rest."""
    work = WORK / module.slug
    copy_tree(work)
    kept = RESULTS / module.slug
    if resume and kept.is_dir():
        for meta in kept.rglob("*.py.meta"):
            target = work / "mutants" / meta.relative_to(kept)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(meta, target)
        for name in KEPT:
            if (kept / name).exists():
                shutil.copy2(kept / name, work / name)
    settings = {
        "source_paths": ["idamconf"], "only_mutate": [module.path],
        "also_copy": ["examples/", "benchmarks/", "schemas/", "README.md"],
        "pytest_add_cli_args_test_selection": module.tests,
        # pytest's cache is of no use to a copy thrown away. Snapshots not used are not a failure: a module's tests
        # are a part of the suite, and syrupy otherwise fails the session that lists them (mutmut's collection of a
        # resumed run stopped with "Failed to collect list of tests": session 37, mut37c)
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-p", "no:warnings", "--snapshot-warn-unused"],
        # A mutant that makes the tests wait for ever (a batch never sent, a retry never given up) is stopped -- and
        # counted as detected -- after 6 times the time its tests took unmutated, not mutmut's default 30 times:
        # the tests wait rather than compute, and 30 times a minute of tests was 30 minutes per such mutant.
        "timeout_multiplier": 3.0,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    with open(work / "pyproject.toml", "a", encoding="utf-8") as project:
        project.write("\n".join(lines) + "\n")
    return work


def mutate(module: Module, children: int, command: str, only: list[str] | None = None) -> None:
    """All the module's mutants in a fresh copy; or, with `only` (mutant name globs), those of some functions, in
    the copy an earlier `only` run left (its results kept: mutmut keeps each function's results while its code is
    unchanged), so that a module is tested a few functions at a time across runs."""
    work = WORK / module.slug
    resumed = bool(only)
    if (work / "mutants").is_dir() and resumed:  # the tests as they are now (mutmut copies them in and learns which
        copy_tree(work, under="tests")           # reach what of the new ones)
    else:
        work = prepare(module, resume=resumed)
    earlier = float((work / "seconds").read_text()) if resumed and (work / "seconds").exists() else 0.0
    commands = ((work / "command").read_text().splitlines() if resumed and (work / "command").exists() else [])
    (work / "command").write_text("".join(f"{line}\n" for line in dict.fromkeys([*commands, command])))
    started = time.monotonic()
    with open(work / "mutmut.log", "a" if resumed else "w", encoding="utf-8") as log:
        subprocess.run([str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(children),
                        *(only or [])],
                       cwd=work, stdout=log, stderr=subprocess.STDOUT, check=False,
                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    module.seconds = earlier + time.monotonic() - started
    (work / "seconds").write_text(f"{module.seconds:.0f}\n")
    collect(module)
    confirm(module, children)


def confirm(module: Module, children: int) -> None:
    """Each mutant mutmut stopped for taking too long, run again alone with its module's tests, allowed CONFIRM_TIMES
    the time they take unmutated (at least CONFIRM_LEAST seconds): what it then does is kept in `confirmed.json` (a
    status per mutant), which `collect` reads over mutmut's."""
    from concurrent.futures import ThreadPoolExecutor

    work = WORK / module.slug
    if not (work / "mutants").is_dir():  # results the tree keeps, without their work directory: nothing to run
        return
    path = work / "confirmed.json"
    confirmed = json.loads(path.read_text()) if path.exists() else {}
    pending = [name for name, status in module.statuses.items() if status == "timeout" and name not in confirmed]

    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:warnings",
               *module.tests]
    started = time.monotonic()
    if pending:  # the tests unmutated, beside nothing else of this run: how long they take now
        subprocess.run(command, cwd=work / "mutants", capture_output=True, check=False,
                       env={key: value for key, value in os.environ.items() if key != "MUTANT_UNDER_TEST"})
    allowed = max(CONFIRM_LEAST, CONFIRM_TIMES * (time.monotonic() - started))

    def run(name: str) -> str:
        try:
            done = subprocess.run(command, cwd=work / "mutants", capture_output=True, check=False,
                                  timeout=allowed, env={**os.environ, "MUTANT_UNDER_TEST": name})
        except subprocess.TimeoutExpired:
            return "timeout"
        return "survived" if done.returncode == 0 else "killed"

    with ThreadPoolExecutor(max(1, children)) as pool:
        for name, status in zip(pending, pool.map(run, pending)):
            confirmed[name] = status
            path.write_text(json.dumps(confirmed, indent=1, sort_keys=True) + "\n")
    if pending:
        collect(module)


def collect(module: Module) -> None:
    """The statuses of the last run, and each survivor's diff: from the module's work directory if there is one (and
    then kept in the tree, `keep`), else from what the tree keeps."""
    work, kept = WORK / module.slug, RESULTS / module.slug
    if not (work / "mutants").is_dir():
        _read(module, kept, kept)
        diffs = json.loads((kept / "diffs.json").read_text()) if (kept / "diffs.json").exists() else {}
        module.diffs = {name: diffs.get(name, "") for name in module.survivors}
        return
    _read(module, work / "mutants", work)
    for name in module.survivors:
        shown = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "show", name], cwd=work,
                               capture_output=True, text=True, check=False).stdout
        module.diffs[name] = shown
    keep(module)


def _read(module: Module, metas: Path, files: Path) -> None:
    """The statuses in mutmut's `*.py.meta` files under `metas`, with the timeouts run again (`confirmed.json`), the
    time and the commands, from `files` (a work directory, or what the tree keeps)."""
    from mutmut.stats import status_by_exit_code

    module.statuses, module.diffs = {}, {}
    for meta in sorted(metas.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module.statuses |= {name: status_by_exit_code[code] for name, code in codes.items()}
    confirmed = files / "confirmed.json"  # timeouts run again (`confirm`)
    if confirmed.exists():  # (only where mutmut's status is still a timeout: an `--only` run since may have judged it)
        module.statuses |= {name: status for name, status in json.loads(confirmed.read_text()).items()
                            if module.statuses.get(name) == "timeout"}
    seconds, command = files / "seconds", files / "command"
    module.seconds = float(seconds.read_text()) if seconds.exists() else 0.0
    module.command = "`, `".join(command.read_text().splitlines()) if command.exists() else "make mutate"


def keep(module: Module) -> None:
    """The module's results from its work directory into the tree (RESULTS), replacing what was kept before."""
    work, kept = WORK / module.slug, RESULTS / module.slug
    shutil.rmtree(kept, ignore_errors=True)
    for meta in (work / "mutants" / "idamconf").rglob("*.py.meta"):  # the mutated code's (also_copy has its own)
        target = kept / meta.relative_to(work / "mutants")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(meta, target)
    kept.mkdir(parents=True, exist_ok=True)
    (work / "diffs.json").write_text(json.dumps(module.diffs, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for name in KEPT:
        if (work / name).exists():
            shutil.copy2(work / name, kept / name)


def changed_lines(diff: str) -> tuple[str, str]:
    """The line a mutant changed, before and after (the first of each, stripped)."""
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return (removed[0] if removed else ""), (added[0] if added else "")


def key(name: str, diff: str) -> str:
    """How benchmarks/equivalent_mutants.toml names a mutant: its function and the change, not its number."""
    function = re.sub(r"^x[_ǁ]", "", re.sub(r"__mutmut_\d+$", "", name.rsplit(".", 1)[-1])).replace("ǁ", ".")
    before, after = changed_lines(diff)
    return f"{function}: {before} => {after}"


def report(modules: list[Module]) -> str:
    explained = tomllib.loads(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else {}
    commands = ", ".join(f"`{command}`" for command in dict.fromkeys(module.command for module in modules))
    lines = [BEGIN, "", f"Produced by {commands} (mutmut {_version()}, {os.cpu_count()} cores; report written "
             f"{time.strftime('%Y-%m-%d')}).", "",
             "| module | mutants | killed | survived | not tested (run stopped) | score | tests given to mutmut | time |",
             "|---|---:|---:|---:|---:|---:|---|---:|"]
    for module in modules:
        tested = len(module.statuses) - module.unchecked
        score = f"{100 * module.killed / tested:.1f} %" if tested else "-"
        lines.append(f"| `{module.path}` | {len(module.statuses)} | {module.killed} | {tested - module.killed} | "
                     f"{module.unchecked} | {score} | {', '.join(f'`{test}`' for test in module.tests)} | "
                     f"{module.seconds / 60:.1f} min |")
    tested = sum(len(m.statuses) - m.unchecked for m in modules)
    killed = sum(m.killed for m in modules)
    if tested:
        lines.append(f"| **all** | {sum(len(m.statuses) for m in modules)} | {killed} | {tested - killed} | "
                     f"{sum(m.unchecked for m in modules)} | **{100 * killed / tested:.1f} %** | | "
                     f"{sum(m.seconds for m in modules) / 60:.1f} min |")
    lines += ["", "Survivors, each explained as equivalent (benchmarks/equivalent_mutants.toml) or UNEXPLAINED "
              "(to be killed by a test, or explained):", ""]
    for module in modules:
        notes = explained.get(module.path, {})
        for name in module.survivors:
            before, after = changed_lines(module.diffs.get(name, ""))
            why = notes.get(key(name, module.diffs.get(name, "")), "**UNEXPLAINED**")
            lines.append(f"- `{name}` ({module.statuses[name]}): `{before}` → `{after}` -- {why}")
    return "\n".join(lines + ["", END])


def write(text: str, begin: str = BEGIN, end: str = END) -> None:
    document = DOC.read_text(encoding="utf-8")
    start, stop = document.index(begin), document.index(end) + len(end)
    DOC.write_text(document[:start] + text + document[stop:], encoding="utf-8")


def line_mutants(areas: list[str]) -> None:
    """Each mutation of line_mutants/*.toml in a copy of the tree, judged by its tests, else by the whole suite."""
    files = sorted(LINE_MUTANTS.glob("*.toml"))
    unknown = sorted(set(areas) - {file.stem for file in files})
    if unknown:
        sys.exit(f"no benchmarks/line_mutants/<area>.toml for: {', '.join(unknown)}")
    chosen = [(file.stem, mutant) for file in files if not areas or file.stem in areas
              for mutant in tomllib.loads(file.read_text(encoding="utf-8"))["mutant"]]
    work = WORK / "lines"
    copy_tree(work)
    judge = _Judge(work)
    parts = sorted({test for _, mutant in chosen for test in mutant.get("tests", [])})
    if parts:  # every part is run once unmutated: a part failing anyway would "kill" every mutation
        judge.baseline(parts)
    rows, killed = [], 0
    for area, mutant in chosen:
        verdict, seconds = judge(mutant)
        killed += verdict.startswith("killed")
        rows.append(f"| {area} | `{mutant['file']}` | `{_one_line(mutant['line'])}` → "
                    f"`{_one_line(mutant['mutated'])}` | {verdict} | {seconds:.0f} s |")
        print(rows[-1], flush=True)
    if areas:  # a part is printed, never written over the whole run's report
        print(f"{killed} of {len(rows)} killed")
        return
    write("\n".join([LINES_BEGIN, "", f"Command: `make mutate-lines` ({time.strftime('%Y-%m-%d')}): {killed} of "
                      f"{len(rows)} killed.", "", "| area | file | mutation | verdict | time |",
                      "|---|---|---|---|---:|", *rows, "", LINES_END]), LINES_BEGIN, LINES_END)


def _one_line(code: str) -> str:
    """A mutation's lines as one row of the report's table (a line break or `|` would end the row)."""
    return " ⏎ ".join(" ".join(line.split()) for line in code.strip().splitlines()).replace("|", "\\|")


class _Judge:
    """Runs a mutation's own tests, then (if they pass) the whole suite, in the copy `work`."""

    SUITE = [sys.executable, "-m", "pytest", "-n", "2", "-x", "-q", "-p", "no:cacheprovider"]

    def __init__(self, work: Path) -> None:
        self.work, self.suite_passed = work, False

    def baseline(self, tests: list[str]) -> None:
        result = self._run(tests)
        if result.returncode:  # then every mutant would look killed: nothing is judged
            sys.exit("the tests fail in the copy without any mutation, so no mutation can be judged; their end:\n"
                     + result.stdout[-3000:])

    def __call__(self, mutant: dict) -> tuple[str, float]:
        path = self.work / mutant["file"]
        text = path.read_text(encoding="utf-8")
        if text.count(mutant["line"]) != 1:
            return "**line not found once: update the entry**", 0.0
        started = time.monotonic()
        try:
            _write(path, text.replace(mutant["line"], mutant["mutated"]))
            if mutant.get("tests") and self._run(mutant["tests"]).returncode not in (0, 5):  # 5: collected none
                return "killed by its tests", time.monotonic() - started
            if not self.suite_passed:  # once, unmutated, before the whole suite first judges a mutation
                _write(path, text)
                self.baseline([])
                self.suite_passed = True
                _write(path, text.replace(mutant["line"], mutant["mutated"]))
            failed = self._run([]).returncode
            return ("killed by the suite" if failed else "**SURVIVED**"), time.monotonic() - started
        finally:
            _write(path, text)

    def _run(self, tests: list[str]) -> subprocess.CompletedProcess:
        command = [*self.SUITE[:3], "-x", "-q", "-p", "no:cacheprovider", *tests] if tests else self.SUITE
        # bytecode is cached as in any checkout (a shell's PYTHONDONTWRITEBYTECODE would have every test's
        # subprocess compile idamconf again); `_write` drops the mutated module's cache whenever it changes it
        environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        return subprocess.run(command, cwd=self.work, env=environment, capture_output=True, text=True, check=False)


def _write(path: Path, text: str) -> None:
    """The module's new text, and its cached bytecode gone: a cache is trusted by the source's size and mtime in
    seconds, which a mutation written (or undone) within the same second, keeping the size, would not change."""
    path.write_text(text, encoding="utf-8")
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink()


def _version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def _natural(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules of [tool.idamconf.mutate] (default: all of them)")
    parser.add_argument("--report", action="store_true", help="only write the report of the last run")
    parser.add_argument("--confirm", action="store_true", help="run the last run's timeouts again, then report")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    parser.add_argument("--only", action="append", metavar="GLOB",
                        help="test only the mutants whose names match (e.g. 'idamconf.apply.x_apply_plan*'), adding "
                             "to the results of earlier --only runs of the module")
    parser.add_argument("--lines", action="store_true",
                        help="run the one-line mutations of benchmarks/line_mutants/ (of the areas named, if any)")
    arguments = parser.parse_args()
    if arguments.lines:
        line_mutants(arguments.modules)
        return
    known = table()
    unknown = [name for name in arguments.modules if name not in known]
    if unknown:
        parser.error(f"not in [tool.idamconf.mutate] of pyproject.toml: {', '.join(unknown)}")
    chosen = arguments.modules or list(known)
    modules = [Module(path, known[path]) for path in chosen]
    command = "make mutate" + (f' MODULES="{" ".join(arguments.modules)}"' if arguments.modules else "")
    if arguments.only:
        if len(chosen) != 1:
            parser.error("--only needs exactly one module")
        command = (f"python -m benchmarks.mutate {chosen[0]} "
                   + " ".join(f"--only '{glob}'" for glob in arguments.only))
    for module in modules:
        if arguments.report or arguments.confirm:
            collect(module)
            if arguments.confirm:
                confirm(module, arguments.children)
        else:
            print(f"mutating {module.path} ...", flush=True)
            mutate(module, arguments.children, command, arguments.only)
        total = len(module.statuses)
        if not total and arguments.report:  # never run
            continue
        print(f"{module.path}: {module.killed}/{total} killed, {module.seconds / 60:.1f} min", flush=True)
    ran = [module for module in (Module(path, known[path]) for path in known)
           if (WORK / module.slug / "mutants").is_dir() or (RESULTS / module.slug).is_dir()]
    for module in ran:  # the report covers every module with results, run now or before
        if module.path not in chosen:
            collect(module)
        else:
            module.statuses, module.diffs, module.seconds, module.command = next(
                (m.statuses, m.diffs, m.seconds, m.command) for m in modules if m.path == module.path)
    write(report(ran))
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
