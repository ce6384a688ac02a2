"""Access packages an apply began to take apart and did not finish, found again by the next plan.

Graph deletes an access package only once nobody is assigned it and (as the emulator infers) once its policies and
resource role scopes are gone, so apply takes a package apart in that order (apply_access.delete_packages). A plan
recognises a package on a role by its role scope -- Graph gives packages no tags -- so an apply that stopped after the
role scope went and before the package did (killed, the network lost, the delete refused) would leave a package that
no plan finds: an orphan in the catalog, for ever. So before it removes anything that identifies the package as the
project's, apply writes this module's `description` on it, naming the project and the application; a plan that meets
a package so described, granting nothing and with no policy left, plans its deletion, and the next apply finishes it.

Trust: a description can be written by anyone who may write the package, who may as well delete it; and a package is
taken only if it grants nothing and has no policy -- an empty shell, which holds nobody's access. The plan shows the
deletion like any other, for a reviewer to see.
"""

from __future__ import annotations

from ..config.model import APPLICATION_NAME
from .governance import package_attributes
from .resources import KIND_ORDER, add_live


def description(project: str, application: str) -> str:
    """What a package being taken apart says, naming who is taking it apart and whose package it was."""
    return f"{_prefix(project)}{application}."


def application_of(package: dict, project: str) -> str | None:
    """The application a package left behind by this project's apply belonged to, if its description says so."""
    text, prefix = package.get("description") or "", _prefix(project)
    if not text.startswith(prefix) or not text.endswith("."):
        return None
    application = text[len(prefix):-1]
    return application if APPLICATION_NAME.fullmatch(application) else None


def _prefix(project: str) -> str:
    return f"idamconf ({project}) is removing this access package of application "


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
    identity = f"left behind {package['id']}"
    add_live(found, (application, KIND_ORDER["access_package"], "access_package", identity), "access_package",
             f"app.{application}.access_package[{identity}]", application,
             package_attributes(package["displayName"], package.get("description"), catalog,
                                bool(package.get("isHidden"))),
             {"packageId": package["id"], "catalogId": package["catalog"]["id"], "catalog": catalog}, desired)
    return True


def _wanted(name: str, catalog: str, desired: dict | None) -> bool:
    name = name.casefold()  # (as Graph compares names)
    return any(r.kind == "access_package" and r.attributes["displayName"].casefold() == name
               and r.attributes["catalog"].casefold() == catalog.casefold() for r in (desired or {}).values())
