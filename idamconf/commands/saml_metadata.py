"""`idamconf saml metadata APP [-e ENV] [--out FILE]`: the IdP metadata of one SAML application, for its service
provider's team: Entra's entity id and endpoints for the tenant and the application's preferred token-signing
certificate, read with the read identity through Graph (the token goes to Graph only: graph/origin.py). Written to
FILE, or to standard output. Changes nothing.

The document is built from what Graph holds (saml/idp_metadata.py) and is not signed: Entra signs the one it
publishes at the federation metadata URL apply prints; the certificate in either is the same, and its thumbprint is
what the service provider checks out of band. Exit 1 when the application is not one of the configuration's SAML
applications, does not exist yet, or has no preferred signing certificate (run apply)."""

from __future__ import annotations

import base64
from pathlib import Path

from ..config.load import load_configuration
from ..diagnostics import Diagnostic, DiagnosticError
from ..saml import idp_metadata
from ..saml.resources import preferred
from . import outputs
from .session import run_async


def run(config_dir: Path, env: str | None, name: str, out: Path | None) -> int:
    if out is not None:
        outputs.ready(out, "--out")
    configuration = load_configuration(config_dir)
    from ..workflow import target_for

    target = target_for(configuration, env, write=False)
    name = name.removeprefix("app.")  # as plans and apply name it (app.<name>)
    saml = [app.for_environment(target.environment) for app in configuration.applications]
    saml = [app for app in saml if app.saml is not None and app.in_environment(target.environment)]
    apps = [app for app in saml if app.name == name]
    if not apps:
        known = ", ".join(sorted(app.name for app in saml)) or "none"
        raise DiagnosticError([Diagnostic(f"'{name}' is not a SAML application of this configuration in "
                                          f"{target.environment}", f"name one whose file has sso.saml: {known}")])
    document = run_async(_read(target, apps[0].key))
    if out is None:
        print(document.decode("utf-8"))
    else:
        with outputs.writing(out, "--out"):
            out.write_bytes(document)
        print(f"IdP metadata of app.{name} in {target.environment} written to {out}")
    return 0


async def _read(target, key: str) -> bytes:
    from ..graph.client import GraphRequestFailed, query
    from ..graph.connect import connect

    async with connect(target) as client:
        found = await client.call("GET", query(f"applications(uniqueName='{key}')", select="id,appId"))
        if not found.ok:
            raise GraphRequestFailed(f"application {key} (has apply created it?)", found.error)
        principal = await client.call("GET", query(f"servicePrincipals(appId='{found.body['appId']}')",
                                                   select="id,preferredTokenSigningKeyThumbprint,keyCredentials"))
        organisation = await client.call("GET", "organization")
        for response, what in ((principal, "its service principal"), (organisation, "the tenant")):
            if not response.ok:
                raise GraphRequestFailed(what, response.error)
        key_credential = preferred(principal.body)
        if key_credential is None or not key_credential.get("key"):
            raise GraphRequestFailed(f"the signing certificate of application {key}", _NoCertificate())
        tenant_id = organisation.body["value"][0]["id"]
        authority = idp_metadata.authority(client.base_url)
        root = idp_metadata.document(tenant_id, authority, base64.b64decode(key_credential["key"]))
        return idp_metadata.text(root)


class _NoCertificate:
    def __str__(self) -> str:
        return "no preferred token-signing certificate yet: run apply"
