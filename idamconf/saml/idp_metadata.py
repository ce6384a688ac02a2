"""The identity provider's side of a SAML application, as the service provider's team needs it: Entra's entity id
and endpoints for the tenant, the federation metadata URL, and the metadata document itself.

Entra names itself `https://sts.windows.net/{tenant id}/` in SAML, takes sign-in and logout requests at
`{authority}/{tenant id}/saml2`, and publishes each application's metadata -- signed by the application's preferred
token-signing certificate -- at `{authority}/{tenant id}/federationmetadata/2007-06/federationmetadata.xml?appid=…`.
`document` writes the same metadata (unsigned) from what Graph holds; the emulator serves it signed (emulator/saml.py).
"""

from __future__ import annotations

import base64

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def authority(graph_url: str) -> str:
    """Where the tenant's SAML endpoints are: the Graph cloud's login host, or the emulator's own origin."""
    from ..graph.clouds import cloud_of

    cloud = cloud_of(graph_url)
    return f"https://{cloud.authority}" if cloud else graph_url.removesuffix("/v1.0")


def entity_id(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


def sign_on_url(authority: str, tenant_id: str) -> str:
    return f"{authority.rstrip('/')}/{tenant_id}/saml2"


def metadata_url(authority: str, tenant_id: str, app_id: str) -> str:
    return f"{authority.rstrip('/')}/{tenant_id}/federationmetadata/2007-06/federationmetadata.xml?appid={app_id}"


def document(tenant_id: str, authority: str, certificate_der: bytes):
    """The IdP metadata as an lxml element: one EntityDescriptor with an IDPSSODescriptor holding the signing
    certificate and the SSO and logout endpoints (both bindings Entra offers)."""
    from lxml import etree

    root = etree.Element(f"{{{MD}}}EntityDescriptor", nsmap={"md": MD, "ds": DS},
                         attrib={"entityID": entity_id(tenant_id), "ID": "_" + tenant_id})
    idp = etree.SubElement(root, f"{{{MD}}}IDPSSODescriptor",
                           protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol")
    key = etree.SubElement(idp, f"{{{MD}}}KeyDescriptor", use="signing")
    data = etree.SubElement(etree.SubElement(key, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509Certificate").text = base64.b64encode(certificate_der).decode("ascii")
    endpoint = sign_on_url(authority, tenant_id)
    etree.SubElement(idp, f"{{{MD}}}SingleLogoutService", Binding=REDIRECT, Location=endpoint)
    for binding in (REDIRECT, POST):
        etree.SubElement(idp, f"{{{MD}}}SingleSignOnService", Binding=binding, Location=endpoint)
    return root


def text(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


HANDOVER = (("IdP metadata URL", "metadataUrl"), ("IdP entity id", "entityId"), ("sign-on URL", "signOnUrl"),
            ("signing certificate thumbprint (SHA-1)", "thumbprint"), ("certificate expires", "expires"))


def handover_lines(written: dict[str, dict], shown) -> list[str]:
    """What apply prints for each SAML application it wrote: what the service provider's team configures on its
    side (and checks the thumbprint of, out of band). `shown`: the terminal's escaping."""
    lines = ["SAML applications (give these to the service provider's team):"]
    width = max(len(label) for label, _ in HANDOVER)
    for name, facts in sorted(written.items()):
        lines.append(f"  app.{shown(name)}")
        lines += [f"      {label:<{width}}  {shown(str(facts.get(key) or '(none)'))}" for label, key in HANDOVER]
    return lines
