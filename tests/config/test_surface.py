"""The application's settings table (idamconf/surface/): the schema follows it, its names are Graph's, bad values are
refused at their line, and per-environment overrides lay an environment's values over the file's."""

from __future__ import annotations

import json

import pytest

from idamconf.config.overrides import laid_over
from idamconf.emulator.entities import application_defaults, service_principal_defaults
from idamconf.surface import APPLICATION, TABLE
from idamconf.surface.schema import SCHEMA, text, with_settings

from ..cli.harness import edit, idamconf

WORDPRESS = "applications/wordpress.yaml"


def test_the_schema_file_holds_every_setting_of_the_table():
    current = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert text(with_settings(current)) == SCHEMA.read_text(encoding="utf-8"), \
        "schemas/application.schema.json is out of date: run python -m idamconf.surface"


@pytest.mark.parametrize("attribute", TABLE, ids=lambda a: a.key)
def test_every_setting_is_a_graph_property_of_its_object(attribute):
    """The Graph names in the table are those of Graph's application and servicePrincipal (as the emulator serves
    them, which the typed SDK checks in tests/emulator/test_sdk_fidelity.py)."""
    node = application_defaults() if attribute.on == APPLICATION else service_principal_defaults()
    for part in attribute.graph.split("."):
        assert isinstance(node, dict) and part in node, f"{attribute.graph} is not a Graph property"
        node = node[part]


def validate(project) -> list[str]:
    result = idamconf("validate", "-C", str(project))
    assert "Traceback" not in result.err
    return result.err.splitlines() if result.code else []


@pytest.mark.parametrize("written,message", [
    ("servicePrincipal:\n  loginUrl: ftp://blog.contoso.com/",
     "servicePrincipal.loginUrl: 'ftp://blog.contoso.com/' is not a valid value"),
    ("publicClient:\n  redirectUris: [no scheme]", "publicClient.redirectUris[0]"),
    ("info:\n  supportUrl: http://support.contoso.com", "info.supportUrl"),
    ("groupMembershipClaims: Everyone", "groupMembershipClaims"),
    ("api:\n  knownClientApplications: [not-a-guid]", "api.knownClientApplications[0]"),
    ("servicePrincipal:\n  notificationEmailAddresses: [idam team]", "servicePrincipal.notificationEmailAddresses[0]"),
    ("servicePrincipal:\n  appRoleAssignmentRequired: yes please", "servicePrincipal.appRoleAssignmentRequired"),
    ("optionalClaims:\n  idToken: [{essential: true}]", "optionalClaims.idToken[0]"),
    ("servicePrincipal:\n  owner: x", "servicePrincipal"),
])
def test_a_bad_setting_is_refused_at_its_line(project, written, message):
    text_ = (project / WORDPRESS).read_text()
    (project / WORDPRESS).write_text(text_ + written + "\n")
    line = text_.count("\n") + 1
    errors = validate(project)
    assert any(f"wordpress.yaml:{line}" in e or f"wordpress.yaml:{line + 1}" in e for e in errors if message in e), \
        errors


def test_overrides_merge_mappings_and_replace_everything_else():
    base = {"displayName": "Blog", "owners": ["a@x.com", "b@x.com"], "web": {"redirectUris": ["https://a/"],
                                                                             "homePageUrl": "https://a/"}}
    laid = laid_over(base, {"owners": ["c@x.com"], "web": {"redirectUris": ["https://b/"]}})
    assert laid == {"displayName": "Blog", "owners": ["c@x.com"],
                    "web": {"redirectUris": ["https://b/"], "homePageUrl": "https://a/"}}


def test_an_override_may_hold_a_mapping_the_file_does_not(project):
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n", "tags: [communications, public-facing]\n"
         "overrides:\n  devl:\n    spa:\n      redirectUris: [https://blog-devl.contoso.com/spa]\n")
    assert validate(project) == []


def test_an_environments_values_are_judged_by_that_environments_rules_alone(project):
    """A devl override leaving a role one approver: a warning in devl (the default there), not live's error (live's
    `rules: {approvers.two: error}` is not devl's)."""
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  devl:\n    appRoles:\n"
         "      - {displayName: Writer, value: Blog.Writer, description: Writes.,\n"
         "         accessPackage: {approvers: [grace.comms@contoso.com],\n"
         "                         accessReview: {reviewers: [grace.comms@contoso.com, frank.audit@contoso.com],\n"
         "                                        frequencyDays: 90}}}\n")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 0, result.err
    assert "warning: " in result.err and "[approvers.two]" in result.err and "0 error(s), 1 warning(s)." in result.err


def test_an_overridden_value_is_reported_at_the_overrides_line(project):
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  live:\n    web:\n      homePageUrl: ftp://x\n")
    errors = validate(project)
    line = (project / WORDPRESS).read_text().splitlines().index("      homePageUrl: ftp://x") + 1
    assert any(f"wordpress.yaml:{line}:20: error: overrides.live.web.homePageUrl" in e for e in errors), errors


def test_a_rule_broken_only_in_one_environment_is_reported_there(project):
    """One approver is an error in live: the live override that leaves one is reported at the override's line, and
    the file's own two approvers are fine elsewhere."""
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  live:\n    appRoles:\n"
         "      - {displayName: Writer, value: Blog.Writer, description: Writes.,\n"
         "         accessPackage: {approvers: [grace.comms@contoso.com]}}\n")
    errors = validate(project)
    line = next(i for i, text_ in enumerate((project / WORDPRESS).read_text().splitlines(), 1)
                if "accessPackage: {approvers: [grace" in text_)
    assert any(f"wordpress.yaml:{line}" in e and "approvers.two" in e and "error" in e for e in errors), errors


def test_a_value_an_override_leaves_alone_is_reported_at_the_files_line(project):
    """live overrides only the display name; the Writer's one approver, an error in live, is the file's own line."""
    edit(project / WORDPRESS, "approvers: [grace.comms@contoso.com, alice.admin@contoso.com]",
         "approvers: [grace.comms@contoso.com]")
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",
         "tags: [communications, public-facing]\noverrides:\n  live:\n    displayName: WordPress Blog (LIVE)\n")
    errors = validate(project)
    line = (project / WORDPRESS).read_text().splitlines().index("      approvers: [grace.comms@contoso.com]") + 1
    assert any(f"wordpress.yaml:{line}:" in e and "error" in e and "approvers.two" in e for e in errors), errors


@pytest.mark.parametrize("override,message", [
    ("  qa:\n    displayName: X\n", "unknown environment 'qa'"),
    ("  local:\n    name: other\n", "overrides.local"),
])
def test_overrides_of_unknown_environments_or_fixed_keys_are_refused(project, override, message):
    edit(project / WORDPRESS, "tags: [communications, public-facing]\n",
         f"tags: [communications, public-facing]\noverrides:\n{override}")
    assert any(message in e for e in validate(project))


def test_overrides_of_an_environment_the_application_is_not_in_are_refused(project):
    edit(project / "applications/payments-api.yaml", "tags: [finance, pci]\n",
         "tags: [finance, pci]\nenvironments: [local, live]\noverrides:\n  nle:\n    displayName: Payments (NLE)\n")
    assert any("the application is not in environment 'nle'" in e for e in validate(project))


def test_graphs_nulls_and_order_read_as_the_file_writes_them():
    """Graph answers null for a setting never set and lists a set in its own order: the tenant's side is read in the
    form the file's is, or every plan would show a change nobody made."""
    from idamconf.surface.values import desired, live

    found = {"isFallbackPublicClient": None, "web": None,
             "publicClient": {"redirectUris": ["https://b.contoso.com/", "https://a.contoso.com/"]}}
    assert live(found, APPLICATION) == desired(
        {"publicClient": {"redirectUris": ["https://a.contoso.com/", "https://b.contoso.com/"]}}, APPLICATION)


@pytest.mark.parametrize("on", ["application", "service_principal"])
def test_a_file_writing_no_setting_gets_every_default_in_a_copy_of_its_own(on):
    """Most files write none of the table's settings: each gets every default (surface.defaults), in Graph's shape,
    in objects of its own -- a plan changes an application's attributes in place (saml/resources.py), and one
    application's change must never reach another's."""
    from idamconf.surface import values

    first, second = values.desired({}, on), values.desired({}, on)
    flat = {}

    def walk(tree, prefix=""):
        for name, value in tree.items():
            if isinstance(value, dict) and value:
                walk(value, f"{prefix}{name}.")
            else:
                flat[f"{prefix}{name}"] = value
    walk(first)
    assert flat == values.defaults(on)
    assert first == second
    for name, value in first.items():
        if isinstance(value, (dict, list)):
            assert value is not second[name]
    first.clear()
    assert values.desired({}, on) == second
