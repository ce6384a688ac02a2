"""Catalogs as plans compare them: by name only, unless idamconf.yaml's `catalogs:` declares the catalog's settings
-- then also its description, whether it is published, and whether it is externally visible.

A catalog the project file does not declare is another team's as much as this project's: idamconf creates it if
it is missing (with its own description, which marks it as created for the project: graph/read.py reads such
catalogs even once no package names them) and never changes it. A declared catalog is managed like any resource;
its description is then the file's, so a catalog whose description the file sets is read while the file names it.
"""

from __future__ import annotations

from ..config.model import CatalogSettings, Configuration


def settings(configuration: Configuration, name: str) -> CatalogSettings | None:
    return configuration.catalogs.get(name.casefold())


def desired_catalog(configuration: Configuration, name: str) -> dict:
    """The catalog as Graph would hold it: what the file declares, else what idamconf creates."""
    declared = settings(configuration, name) or CatalogSettings()
    return {"displayName": name, "description": declared.description or marker(configuration.project),
            "state": "published" if declared.published else "unpublished",
            "isExternallyVisible": declared.externally_visible}


def catalog_attributes(configuration: Configuration, name: str, catalog: dict) -> dict:
    """A catalog (Graph's, or `desired_catalog`'s) in the plan's normal form."""
    if settings(configuration, name) is None:
        return {"displayName": name}
    return {"displayName": name, "description": catalog.get("description"),
            "published": catalog.get("state", "published") == "published",
            "externallyVisible": bool(catalog.get("isExternallyVisible"))}


def catalog_body(attributes: dict, project: str) -> dict:
    """What a create or update of a catalog sends, from its normal form."""
    return {"displayName": attributes["displayName"],
            "description": attributes.get("description") or marker(project),
            "state": "published" if attributes.get("published", True) else "unpublished",
            "isExternallyVisible": attributes.get("externallyVisible", False)}


def marker(project: str) -> str:
    """How a catalog idamconf created for the project says so: such catalogs are always read, so that the project's
    applications are taken out of them when no package needs them there any more."""
    return f"Access packages managed by idamconf ({project})."
