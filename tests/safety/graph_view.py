"""What Graph holds, seen as another client of the tenant would see it: raw HTTP to the project's embedded tenant
through the emulator's API (never idamconf's own reading code or tables)."""

from __future__ import annotations

import asyncio

import httpx

from idamconf.emulator import Store, create_app

GOV = "identityGovernance/entitlementManagement"


def graph(project, method: str, path: str, body=None, status: int | None = None) -> dict:
    """One request to the project's embedded tenant (its state file), answered as Graph answers it."""

    async def send():
        store = Store(project / ".idamconf" / "local.db")
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store)),
                                         base_url="http://emulator.localhost/v1.0/",
                                         headers={"Authorization": "Bearer another-client"}) as client:
                response = await client.request(method, path, json=body)
        finally:
            store.close()
        if status is not None:
            assert response.status_code == status, response.text
        else:
            assert response.status_code < 300, response.text
        return response.json() if response.content else {}

    return asyncio.run(send())


def listed(project, path: str) -> list[dict]:
    return graph(project, "GET", path)["value"]


def applications(project) -> list[str]:
    """The uniqueNames of the tenant's applications, but for projects' records (`idamconf.project.<name>`: idamconf's
    own bookkeeping, idamconf/record/, which a configured name can never take: a dot is not allowed in one)."""
    return sorted(app["uniqueName"] for app in listed(project, "applications")
                  if not (app.get("uniqueName") or "").startswith("idamconf.project."))


def application(project, name: str) -> dict:
    return graph(project, "GET", f"applications(uniqueName='{name}')")


def owners(project, name: str) -> list[dict]:
    return listed(project, f"applications/{application(project, name)['id']}/owners")
