"""A project's record in the tenant: which configuration manages the project (its home), and who is applying it now
(its lease, record/lease.py).

The record is an application registration idamconf creates for the project -- the one kind of object it may create
with the least privilege it asks for (`Application.ReadWrite.OwnedBy`) -- with the uniqueName
`idamconf.project.<project>` (a dot never appears in an application's `name`, so no configured application can
collide with it), the tag `idamconf-record` (not the project's tag, so plans never count it among the project's
applications), no service principal (nobody can sign in with it), and its state as JSON in `notes`. Everything in it
is read as untrusted: a record that does not parse is treated as naming no home and no lease.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..command_line import options
from ..diagnostics import Diagnostic
from ..graph.client import GraphClient, GraphRequestFailed, query
from .home import described

RECORD_TAG = "idamconf-record"
PREFIX = "idamconf.project."
FIELDS = "id,uniqueName,notes"


def record_name(project: str) -> str:
    return PREFIX + project


@dataclass(frozen=True)
class Record:
    project: str
    home: str | None = None  # the configuration that manages the project: record/home.configuration_home
    lease: dict | None = None  # {"holder", "host", "pid", "by", "until"}: record/lease.py
    exists: bool = False


def parse(body: dict) -> Record:
    """A record as Graph returned it (`FIELDS`); whatever its notes hold."""
    project = str(body.get("uniqueName") or "")[len(PREFIX):]
    try:
        state = json.loads(body.get("notes") or "{}")
    except ValueError:
        state = {}
    state = state if isinstance(state, dict) else {}
    home = state.get("home") if isinstance(state.get("home"), str) else None
    lease = state.get("lease") if isinstance(state.get("lease"), dict) else None
    return Record(project, home, lease, True)


def notes(home: str | None, lease: dict | None) -> str:
    return json.dumps({"idamconf": 1, "home": home, "lease": lease}, sort_keys=True, separators=(",", ":"))


async def read_records(client: GraphClient) -> dict[str, Record]:
    """Every project's record in the tenant, by project (a tenant holds a handful)."""
    found = await client.get_all(query("applications", filter=f"tags/any(t:t eq '{RECORD_TAG}')", select=FIELDS,
                                       top=999))
    records = (parse(body) for body in found if str(body.get("uniqueName") or "").startswith(PREFIX))
    return {record.project: record for record in records}


async def read_record(client: GraphClient, project: str, written: bool = False) -> Record:
    """`written`: this run wrote the record, so "not found" is replication lag, waited out as writes' are."""
    response = await client.call("GET", query(f"applications(uniqueName='{record_name(project)}')", select=FIELDS),
                                 settle=written)
    if response.status == 404:
        return Record(project)
    if not response.ok:
        raise GraphRequestFailed(f"GET the record of project {project}", response.error)
    return parse(response.body)


def home_problems(records: dict[str, Record], project: str, home: str, where: str, config_dir: str = ".",
                  environment: str = "", state: str | None = None) -> list[Diagnostic]:
    """Why this configuration (at `home`) may not manage `project`: the project's record names another home, or
    this home is the record of another project (so `project:` was changed). `where`: the project file;
    `config_dir` and `environment`: as the commands that resolve it are written; `state`: the embedded emulator's
    state file, when the tenant is one -- its record then came with the state, copied or moved from elsewhere."""
    command = options(config_dir, environment)  # ` -C DIR -e ENV`, as a shell takes them
    record = records.get(project)
    if record is not None and record.home is not None and record.home != home:
        theirs, ours = described(record.home), described(home)
        if state is not None:  # an embedded emulator's state is its configuration directory's: it came from there
            return [Diagnostic(
                f"this emulated tenant ({state}) holds project '{project}' as managed from {theirs}, not from this "
                f"configuration ({ours}): its state (.idamconf/) was copied or moved here from there with the files, "
                "or this configuration's location changed since it applied (put in git, given a remote)",
                f"for an empty emulated tenant of this configuration's own, run `idamconf emulator reset{command}`; "
                f"to keep this tenant's contents and manage the project from here, run `idamconf apply{command} "
                "--rebind-project` once", where, path="project")]
        return [Diagnostic(
            f"project '{project}' is managed from {theirs}, not from this configuration ({ours}): applying it here "
            "would change, or delete, what that configuration manages",
            f"if this configuration replaces that one (a repository or directory moved, put in git or given a "
            f"remote, a copy taking over), run `idamconf apply{command} --rebind-project` once, after which that one "
            "can no longer apply; if both are to manage applications in this tenant, give this one a project name of "
            f"its own (`project:` in {where})",
            where, path="project")]
    before = sorted(name for name, other in records.items() if other.home == home and name != project)
    if before and (record is None or record.home is None):
        return [Diagnostic(f"this configuration ({described(home)}) manages project '{before[0]}', and now says "
                           f"project '{project}': a project's name binds it to its objects in the tenant",
                           f"put `project: {before[0]}` back; or, if the project was renamed deliberately, run "
                           f"`idamconf apply{command} --rebind-project` once to bind project '{project}' to this "
                           "configuration", where, path="project")]
    return []
