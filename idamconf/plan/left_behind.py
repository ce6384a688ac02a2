"""Access packages an apply began to make or to take apart and did not finish, found again by the next plan.

A plan recognises a package on a role by its role scope -- Graph gives packages no tags -- and a package of its own by
its name. Two moments of an apply leave a package with neither a role scope nor a policy, which a plan would find
only by its name, if the file still gives it that name:
- taking one apart: Graph deletes an access package only once nobody is assigned it and (as the emulator infers) once
  its policies and resource role scopes are gone, so apply takes a package apart in that order
  (apply_access.delete_packages); an apply stopped after the role scope went and before the package did (killed, the
  network lost, the delete refused) leaves an empty package;
- making one: a package is created before its role scope can be linked (apply_access._Builder); an apply stopped
  between the two leaves an empty package, under the name the file gave it then -- which the file may change, or
  drop, before the next apply (a review's finding, session 47; reproduced in session 49 by killing an apply there).
Either would be an orphan in the catalog, for ever. So apply says so in the package's description first, naming the
project and the application: `description` before it removes anything that identifies the package as the project's,
`making` when it creates one (the file's description is written once the package grants its role). A plan that meets
a package so described, granting nothing and with no policy, plans its deletion -- unless the configuration wants a
package of its name in its catalog: the apply that makes that one takes the shell (apply_access._Builder._package).

Trust: a description can be written by anyone who may write the package, who may as well delete it; and a package is
taken only if it grants nothing and has no policy -- an empty shell, which holds nobody's access. So its deletion
takes nothing away, and needs no --allow-delete (plan/removals.py); the plan shows it like any other, for a reviewer
to see. Another project's shells say so with their own project's name, and are left alone.
"""

from __future__ import annotations

from ..config.model import APPLICATION_NAME
from .governance import package_attributes
from .resources import KIND_ORDER, add_live


LEFT_BEHIND = "left behind "  # a shell's identity: this, then its id
SHELL = "leftBehind"  # in a shell's ids: what `is_shell` reads
REMOVING, MAKING = "removing", "making"  # what an apply of the project is doing to the package


def description(project: str, application: str, doing: str = REMOVING) -> str:
    """What a package being taken apart (or, `doing` MAKING, being made) says, naming the project and whose package
    it is."""
    return f"{_prefix(project, doing)}{application}."


def making(project: str, application: str) -> str:
    """What a package says from its create until it grants its role (apply_access._Builder)."""
    return description(project, application, MAKING)


def application_of(package: dict, project: str) -> str | None:
    """The application a package left behind by this project's apply belonged to, if its description says so."""
    text = package.get("description") or ""
    for doing in (REMOVING, MAKING):
        prefix = _prefix(project, doing)
        if text.startswith(prefix) and text.endswith("."):
            application = text[len(prefix):-1]
            return application if APPLICATION_NAME.fullmatch(application) else None
    return None


def _prefix(project: str, doing: str) -> str:
    return f"idamconf ({project}) is {doing} this access package of application "


def add_left_behind(found: dict, package: dict, policies: list, catalog: str | None, project: str,
                    desired: dict | None) -> bool:
    """Add `package` to the live resources `found` if an apply of `project` left it behind: in a catalog the plan
    reads (`catalog`: its name there), described as being removed, granting nothing and with no policy. The
    configuration never declares it (its key names its id), so the plan deletes it -- unless the configuration wants
    a package of its name in its catalog again: the apply that makes that one takes the shell (apply_access.py)."""
    application = application_of(package, project)
    if catalog is None or application is None or package.get("resourceRoleScopes") or policies or \
            _wanted(package["displayName"], catalog, desired):
        return False
    identity = f"{LEFT_BEHIND}{package['id']}"
    add_live(found, (application, KIND_ORDER["access_package"], "access_package", identity), "access_package",
             f"app.{application}.access_package[{identity}]", application,
             package_attributes(package["displayName"], package.get("description"), catalog,
                                bool(package.get("isHidden"))),
             {"packageId": package["id"], "catalogId": package["catalog"]["id"], "catalog": catalog, SHELL: True},
             desired)
    return True


def is_shell(change) -> bool:
    """Whether a change is the deletion of a shell `add_left_behind` found: it grants nothing, has no policy, and
    so takes nothing away from anyone (plan/removals.py)."""
    return change.kind == "access_package" and change.ids.get(SHELL) is True


def _wanted(name: str, catalog: str, desired: dict | None) -> bool:
    name = name.casefold()  # (as Graph compares names)
    return any(r.kind == "access_package" and r.attributes["displayName"].casefold() == name
               and r.attributes["catalog"].casefold() == catalog.casefold() for r in (desired or {}).values())
