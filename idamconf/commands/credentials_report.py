"""`idamconf credentials report`: every managed application's secrets, certificates and federated credentials in
an environment, with expiry and days left (credentials/report.py); exit 2 when one has expired or expires within
`--within` days, so a scheduled pipeline can open a ticket; 0 otherwise; 1 on error. Reads with the read
identity; changes nothing."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from ..config.load import load_configuration
from ..credentials import report
from .session import run_async

SELECT = "id,appId,uniqueName,displayName,passwordCredentials,keyCredentials"
RENDERERS = {"human": report.human, "json": report.as_json, "markdown": report.markdown}


def run(config_dir: Path, env: str | None, within: int, output: str) -> int:
    configuration = load_configuration(config_dir)
    from ..workflow import target_for

    target = target_for(configuration, env, write=False)
    wanted = [app.for_environment(target.environment) for app in configuration.applications]
    wanted = [app for app in wanted if app.in_environment(target.environment)]
    found, federated = run_async(_read(target, configuration.tag))
    managed = {app.key: {c.name.casefold() for c in app.federated_credentials or ()} for app in wanted}
    rows = report.rows(found, federated, managed, {app.key: app.name for app in wanted},
                       _dt.datetime.now(_dt.timezone.utc), within)
    print(RENDERERS[output](rows, target.environment, within), end="")
    return 2 if report.expiring(rows) else 0


async def _read(target, tag: str) -> tuple[list[dict], dict[str, list[dict]]]:
    """The project's applications with their secrets' and certificates' metadata, and each one's federated
    credentials (one request per application, `$batch`ed)."""
    import asyncio

    from ..credentials.read import listed
    from ..graph.client import query
    from ..graph.connect import connect
    from ..graph.read import PAGE, tagged

    async with connect(target) as client:
        found = await client.get_all(query("applications", filter=tagged(tag), select=SELECT, top=PAGE))
        found = [app for app in found if app.get("uniqueName")]
        lists = await asyncio.gather(*(listed(client, app["id"]) for app in found))
    return found, {app["id"]: credentials for app, credentials in zip(found, lists)}
