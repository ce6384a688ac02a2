"""What validate refuses because a tenant would, at the edges of Graph's limits (config/tenant_rules.py): the
limit's own value passes, one more is refused, before any request."""

from __future__ import annotations

import pytest

from tests.cli.harness import idamconf

PERSONAL_APP = """name: personal-app
displayName: Personal App
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
signInAudience: AzureADandPersonalMicrosoftAccount
identifierUris:
{uris}"""


@pytest.mark.parametrize("count, refused", [(50, False), (51, True)])
def test_a_personal_account_application_has_at_most_50_identifier_uris(project, count, refused):
    uris = "".join(f"  - api://{{appId}}/scope{n}\n" for n in range(count))
    (project / "applications/personal.yaml").write_text(PERSONAL_APP.format(uris=uris))
    result = idamconf("validate", "-C", str(project))
    message = f"applications/personal.yaml:6:3: error: identifierUris: {count} identifier URIs; Graph allows 50 " \
              "for signInAudience AzureADandPersonalMicrosoftAccount"
    assert (message in result.err) is refused, result.err
    assert result.code == (1 if refused else 0), result.err


SAML_MODE = """name: exported-sp
displayName: Exported Service Provider
owners: [alice.admin@contoso.com, bob.ops@contoso.com]
identifierUris: [urn:example:exported-sp]
"""


@pytest.mark.parametrize("mode, refused", [("", True), ("servicePrincipal:\n  preferredSingleSignOnMode: saml\n", False)])
def test_a_saml_application_is_spared_the_tenant_identifier_rule_as_graph_spares_it(project, mode, refused):
    """Microsoft's default app-management policy excludes SAML applications from the rule that a v1 application's
    new identifier URI holds the tenant id, the app id or a verified domain: an exported SAML application (its mode
    set, without sso.saml) keeps its entity id."""
    (project / "applications/exported-sp.yaml").write_text(SAML_MODE + mode)
    result = idamconf("validate", "-C", str(project))
    assert ("contains neither the tenant id, the app id nor a verified domain" in result.err) is refused, result.err
    assert result.code == (1 if refused else 0), result.err
