"""A GitHub Actions runner small enough to read: it runs a workflow's jobs for an event, in the order of their
`needs`, evaluating each `if:`, expanding matrices, and running every `run:` step with bash as a runner does
(GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the expressions of `env:` evaluated). The few actions the examples use are
played by their effect: checkout (a fresh clone of the repository at the event's commit), setup-python (nothing:
idamconf is installed), github-script (the sign-in token: nothing, the tenants are emulators), upload-artifact and
download-artifact (a directory per artifact), upload-sarif (a SARIF log, or a directory of them), and cache/save and
cache/restore (a directory per entry, kept across runs, scoped by ref as GitHub scopes them: `Caches`).

It exists so that a test can run the example workflows' own commands, as written, against emulated tenants and a
fake GitHub (fake_gh.py): what each reviewer sees is then what the workflow really produces. Each job has a
temporary directory of its own outside its checkout (RUNNER_TEMP, `runner.temp`), as on GitHub. It supports what the
examples use, and fails loudly on anything else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
_PROPERTY = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)")


class Context(dict):
    """A context as expressions read it: a missing property is null (''), properties are case-insensitive."""

    def __getitem__(self, key):
        for name, value in self.items():
            if str(name).lower() == str(key).lower():
                return Context(value) if isinstance(value, dict) and not isinstance(value, Context) else value
        return ""


def evaluate(expression: str, context: dict, status: dict | None = None):
    """One expression (without `${{ }}`), in the subset the examples use: contexts, strings, ==, !=, &&, ||, !,
    and the functions always, success, failure, cancelled, contains, fromJSON, format, hashFiles."""
    status = status or {}
    pieces, python = _STRING.split(expression), []
    strings = _STRING.findall(expression)
    for index, piece in enumerate(pieces):
        piece = _PROPERTY.sub(lambda match: f"[{match.group(1)!r}]", piece)
        piece = piece.replace("&&", " and ").replace("||", " or ")
        piece = re.sub(r"!(?!=)", " not ", piece)
        python.append(piece)
        if index < len(strings):
            python.append(repr(strings[index][1:-1].replace("''", "'")))
    functions = {
        "always": lambda: True, "cancelled": lambda: False,
        "success": lambda: not status.get("failed"), "failure": lambda: bool(status.get("failed")),
        "contains": lambda haystack, needle: needle in haystack if isinstance(haystack, (list, str)) else False,
        "fromJSON": json.loads, "format": lambda text, *values: text.format(*values),
        "hashFiles": lambda *patterns: "hash" if any(Path(status.get("workspace", ".")).glob(p) for p in patterns)
        else "",
    }
    names = {name: Context(value) if isinstance(value, dict) else value for name, value in context.items()}
    return eval("".join(python), {"__builtins__": {}}, {**functions, **names})  # noqa: S307 - our own workflows


def interpolate(text, context: dict, status: dict | None = None):
    """A value with its `${{ }}` evaluated: the value itself when the whole of it is one expression."""
    if not isinstance(text, str):
        return text
    whole = _EXPRESSION.fullmatch(text.strip())
    if whole:
        return evaluate(whole.group(1), context, status)
    return _EXPRESSION.sub(lambda match: _text(evaluate(match.group(1), context, status)), text)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "" if value is None else str(value)


_STATUS = re.compile(r"\b(?:always|success|failure|cancelled)\(")


def condition(text, context: dict, status: dict) -> bool:
    """An `if:`: without a status function in it, it also needs everything before to have succeeded (success()),
    as GitHub reads it."""
    if text is None:
        return not status.get("failed")
    if isinstance(text, bool):
        return text and not status.get("failed")
    inner = _EXPRESSION.fullmatch(text.strip())
    expression = inner.group(1) if inner else text
    if not _STATUS.search(expression) and status.get("failed"):
        return False
    return bool(evaluate(expression, context, status))


@dataclass
class Event:
    """What triggered the run: its name, the commit checked out, and the `github` context."""

    name: str
    sha: str
    github: dict


@dataclass
class JobRun:
    name: str
    result: str  # success | failure | skipped
    outputs: dict = field(default_factory=dict)
    summaries: list = field(default_factory=list)  # each step summary written, in order
    log: list = field(default_factory=list)  # (step, exit code, stdout, stderr)
    caches: list = field(default_factory=list)  # ("saved" | "restored", key, files below the path), in order
    uploads: list = field(default_factory=list)  # SARIF to code scanning: (category, ref, each result's rule id)


class Runner:
    """Runs one workflow file for events against a repository (`origin`, cloned afresh for each job)."""

    def __init__(self, workflow: Path, origin: Path, work: Path, path: list[str], environment: dict,
                 secrets: dict):
        self.workflow = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        self.origin, self.work, self.path = origin, work, path
        self.environment, self.secrets = environment, secrets
        self.caches = Caches(work / "caches", Path(environment["FAKE_GITHUB"]) if "FAKE_GITHUB" in environment
                             else None)
        self.runs = 0

    def run(self, event: Event) -> dict[str, JobRun]:
        self.runs += 1
        artifacts = self.work / f"run-{self.runs}" / "artifacts"
        artifacts.mkdir(parents=True)
        jobs, done = self.workflow["jobs"], {}
        while len(done) < len(jobs):
            ready = [name for name, job in jobs.items() if name not in done and
                     all(need in done for need in _needs(job))]
            assert ready, f"jobs waiting on each other: {set(jobs) - set(done)}"
            for name in ready:
                done[name] = self._job(name, jobs[name], event, done, artifacts)
        return done

    def _job(self, name: str, job: dict, event: Event, done: dict, artifacts: Path) -> JobRun:
        needs = {need: {"result": done[need].result, "outputs": done[need].outputs} for need in _needs(job)}
        ancestors_failed = any(run.result == "failure" for run in done.values() if run.name in _ancestors(
            name, self.workflow["jobs"]))
        status = {"failed": ancestors_failed or any(n["result"] != "success" for n in needs.values()),
                  "workspace": str(self.work)}
        context = {"github": event.github, "needs": needs, "vars": {}, "env": self.workflow.get("env", {})}
        if not condition(job.get("if"), context, {"failed": status["failed"] if not _STATUS.search(
                str(job.get("if") or "")) else ancestors_failed}):
            return JobRun(name, "skipped")
        matrix = (job.get("strategy") or {}).get("matrix")
        values = [{}] if matrix is None else [{key: value} for key, spec in matrix.items()
                                              for value in interpolate(spec, context)]
        with ThreadPoolExecutor(len(values)) as pool:  # a matrix's jobs run side by side, as on GitHub
            runs = list(pool.map(lambda numbered: self._steps(f"{name}-{numbered[0]}", job, event, {
                **context, "matrix": numbered[1]}, artifacts), enumerate(values)))
        result = "failure" if any(run.result == "failure" for run in runs) else "success"
        merged = JobRun(name, result)
        for run in runs:
            merged.outputs |= run.outputs
            merged.summaries += run.summaries
            merged.log += run.log
            merged.caches += run.caches
            merged.uploads += run.uploads
        return merged

    def _steps(self, name: str, job: dict, event: Event, context: dict, artifacts: Path) -> JobRun:
        workspace = self.work / f"run-{self.runs}" / name
        temp = workspace.parent / f"{name}-temp"  # RUNNER_TEMP: the job's own, outside its checkout, as on GitHub
        temp.mkdir()
        context = {**context, "runner": {"temp": str(temp)}}
        subprocess.run(["git", "clone", "-q", str(self.origin), str(workspace)], check=True)
        subprocess.run(["git", "checkout", "-q", event.sha], cwd=workspace, check=True)
        secrets = self.secrets if job.get("environment") else {}  # environment secrets, never a pull request's
        env = {**self.environment, **{key: _text(interpolate(value, {**context, "secrets": secrets}))
                                      for scope in (self.workflow.get("env", {}), job.get("env", {}))
                                      for key, value in scope.items()}}
        run, steps, failed = JobRun(name, "success"), {}, False
        for number, step in enumerate(job["steps"]):
            local = {**context, "env": env, "steps": steps, "secrets": secrets}
            status = {"failed": failed, "workspace": str(workspace)}
            if not condition(step.get("if"), local, status):
                steps[step.get("id", f"step{number}")] = {"outcome": "skipped", "outputs": {}}
                continue
            outcome, outputs = self._step(step, local, env, workspace, artifacts, run)
            steps[step.get("id", f"step{number}")] = {"outcome": outcome, "outputs": outputs}
            if outcome == "failure" and not step.get("continue-on-error"):
                failed = True
        run.result = "failure" if failed else "success"
        local = {**context, "env": env, "steps": steps}
        run.outputs = {key: _text(interpolate(value, local)) for key, value in (job.get("outputs") or {}).items()}
        return run

    def _step(self, step: dict, context: dict, env: dict, workspace: Path, artifacts: Path, run: JobRun):
        values = {key: _text(interpolate(value, context)) for key, value in (step.get("env") or {}).items()}
        if "uses" in step:
            arguments = {key: _text(interpolate(value, context)) for key, value in (step.get("with") or {}).items()}
            if step["uses"].split("@", 1)[0] in ("actions/cache/save", "actions/cache/restore"):
                return self.caches.act(step["uses"], arguments, context["github"], workspace, run), {}
            if step["uses"].split("@", 1)[0] == "github/codeql-action/upload-sarif":
                return _upload_sarif(arguments, context["github"], workspace, run), {}
            return _action(step["uses"], arguments, workspace, artifacts), {}
        files = {name: workspace.parent / f"{workspace.name}-{name}" for name in ("output", "summary")}
        for file in files.values():
            file.write_text("")
        process_env = {**os.environ, **env, **values, "PATH": os.pathsep.join(self.path),
                       "GITHUB_OUTPUT": str(files["output"]), "GITHUB_STEP_SUMMARY": str(files["summary"]),
                       "GITHUB_EVENT_NAME": event_name(context), "GITHUB_WORKSPACE": str(workspace),
                       "GITHUB_SHA": context["github"]["sha"], "GITHUB_REF": context["github"]["ref"],
                       "RUNNER_TEMP": context["runner"]["temp"]}
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=workspace, env=process_env,
                              capture_output=True, text=True, timeout=600)
        run.log.append((step.get("name", step["run"][:40]), done.returncode, done.stdout, done.stderr))
        summary = files["summary"].read_text()
        if summary:
            run.summaries.append(summary)
        outputs = dict(line.split("=", 1) for line in files["output"].read_text().splitlines() if "=" in line)
        return ("success" if done.returncode == 0 else "failure"), outputs


def event_name(context: dict) -> str:
    return context["github"]["event_name"]


def _needs(job: dict) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def _ancestors(name: str, jobs: dict) -> set[str]:
    found, stack = set(), list(_needs(jobs[name]))
    while stack:
        need = stack.pop()
        if need not in found:
            found.add(need)
            stack += _needs(jobs[need])
    return found


def _action(uses: str, arguments: dict, workspace: Path, artifacts: Path) -> str:
    """The effect of each action the examples use; an action this runner does not know fails the test."""
    action = uses.split("@", 1)[0]
    if action in ("actions/checkout", "actions/setup-python", "actions/github-script"):
        return "success"  # the clone is made before the steps; idamconf is installed; the tenants need no token
    if action == "actions/upload-artifact":
        source = workspace / arguments["path"].strip()
        if not source.exists():
            assert arguments.get("if-no-files-found") == "ignore", f"nothing at {source} to upload"
            return "success"
        target = artifacts / arguments["name"]
        shutil.copytree(source, target, dirs_exist_ok=True) if source.is_dir() else shutil.copy(source, target)
        return "success"
    if action == "actions/download-artifact":
        pattern = arguments.get("name") or arguments["pattern"]
        target = workspace / arguments.get("path", ".")
        target.mkdir(parents=True, exist_ok=True)
        found = sorted(artifacts.glob(pattern))
        for artifact in found:
            shutil.copytree(artifact, target if arguments.get("merge-multiple") == "true" or "name" in arguments
                            else target / artifact.name, dirs_exist_ok=True)
        return "success" if found or "pattern" in arguments else "failure"
    raise AssertionError(f"the test runner does not know the action {uses}")


def _upload_sarif(arguments: dict, github: dict, workspace: Path, run: JobRun) -> str:
    """upload-sarif: the log must be SARIF; code scanning files it under its category for the run's ref (the
    action's default `ref`: a pull request's refs/pull/N/merge, or the branch pushed), where a pull request's
    analysis is compared with its base branch's of the same category."""
    found = workspace / arguments["sarif_file"]  # a file, or a directory: each .sarif file in it (as the action)
    for file in sorted(found.rglob("*.sarif")) if found.is_dir() else [found]:
        log = json.loads(file.read_text())
        assert log["version"] == "2.1.0" and log["runs"], "not a SARIF log"
        run.uploads.append((arguments.get("category", ""), github["ref"],
                            [result["ruleId"] for each in log["runs"] for result in each["results"]]))
    return "success"


class Caches:
    """GitHub's Actions cache as its documented scoping has it: an entry is saved under the run's ref (a pull
    request's runs under refs/pull/N/merge), never overwritten; a run restores from its own ref, then its pull
    request's base branch, then main -- in each, the key itself, else the newest entry starting with a restore key,
    among the entries saved from the same path (GitHub's cache "version"). Saving a path that does not exist saves
    nothing (GitHub warns); a miss restores nothing; neither fails."""

    def __init__(self, folder: Path, github: Path | None = None):
        self.folder, self.entries = folder, []  # (ref, path, key, directory), oldest first
        self.github = github  # fake_gh.py's state, where each entry is listed (its ref and key), as GitHub's API does

    def act(self, uses: str, arguments: dict, github: dict, workspace: Path, run: JobRun) -> str:
        path = arguments["path"].strip()
        assert "\n" not in path and not path.startswith(("/", "~")), f"one path in the workspace: {path}"
        if uses.split("@", 1)[0] == "actions/cache/save":
            self._save(github["ref"], path, arguments["key"], workspace, run)
        else:
            prefixes = [line.strip() for line in arguments.get("restore-keys", "").splitlines() if line.strip()]
            base = [f"refs/heads/{github['base_ref']}"] if github.get("base_ref") else []
            self._restore([github["ref"], *base, "refs/heads/main"], path, arguments["key"], prefixes, workspace, run)
        return "success"

    def _save(self, ref: str, path: str, key: str, workspace: Path, run: JobRun) -> None:
        if self.save(ref, path, key, workspace):
            run.caches.append(("saved", key, _files(self.entries[-1][3])))

    def save(self, ref: str, path: str, key: str, workspace: Path) -> bool:
        """`path` of `workspace` saved under `ref` and `key`, as a run of that ref saves it; False if it was not."""
        if not (workspace / path).exists() or any(entry[:3] == (ref, path, key) for entry in self.entries):
            return False
        target = self.folder / str(len(self.entries))
        shutil.copytree(workspace / path, target)
        self.entries.append((ref, path, key, target))
        if self.github is not None:
            state = json.loads(self.github.read_text()) if self.github.exists() else {}
            state.setdefault("caches", []).append({"ref": ref, "key": key})
            written = self.github.with_name(f"{self.github.name}.runner")  # whole, by rename (as fake_gh.py writes)
            written.write_text(json.dumps(state, indent=1))
            os.replace(written, self.github)
        return True

    def _restore(self, refs: list[str], path: str, key: str, prefixes: list[str], workspace: Path,
                 run: JobRun) -> None:
        for ref in dict.fromkeys(refs):
            scoped = [entry for entry in reversed(self.entries) if entry[:2] == (ref, path)]  # newest first
            found = next((entry for entry in scoped if entry[2] == key), None) or next(
                (entry for prefix in prefixes for entry in scoped if entry[2].startswith(prefix)), None)
            if found:
                shutil.copytree(found[3], workspace / path, dirs_exist_ok=True)
                run.caches.append(("restored", found[2], _files(found[3])))
                return


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
