"""Writes tests/bad_inputs/cases/: one directory per hostile input, run by test_bad_inputs.py.

Each case directory holds the broken file exactly as bytes (`app.yaml`, dropped in as applications/wordpress.yaml, or
`idamconf.yaml` for the project file), `expected.txt` (substrings the diagnostics must contain, one per line) and,
for a case that exposes a bug, `xfail.txt` (the reason). Inputs too large to commit (over the size limit) or that
cannot be a plain file (a symlink) have `generated.txt` instead, naming a builder in test_bad_inputs.py.

Run `python tests/bad_inputs/generate.py` after editing CASES; it rewrites the whole directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
APP = "applications/wordpress.yaml"
PROJECT = "idamconf.yaml"

# A valid application; cases replace or add lines. Line numbers are on the right.
BASE = (
    "name: wordpress\n"                                                          # 1
    "displayName: WordPress Blog\n"                                              # 2
    "owners: [alice.admin@contoso.com, grace.comms@contoso.com]\n"               # 3
    "appRoles:\n"                                                                # 4
    "  - displayName: Writer\n"                                                  # 5
    "    value: Blog.Writer\n"                                                   # 6
    "    description: Drafts posts.\n"                                           # 7
    "    accessPackage:\n"                                                       # 8
    "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"     # 9
    "      accessReview:\n"                                                      # 10
    "        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n"   # 11
    "        frequencyDays: 180\n"                                               # 12
)

PROJECT_BASE = (
    "project: eucs-idam\n"                                                       # 1
    "defaultEnvironment: local\n"                                                # 2
    "environments:\n"                                                            # 3
    "  local:\n"                                                                 # 4
    "    emulator: true\n"                                                       # 5
    "    seed: emulator/directory.yaml\n"                                        # 6
    "  nle:\n"                                                                   # 7
    "    graphUrl: https://graph.microsoft.com/v1.0\n"                           # 8
    "    tenantId: 00000000-0000-0000-0000-00000000e001\n"                       # 9
    "    clientId: 00000000-0000-0000-0000-0000000c11e0\n"                       # 10
    "    credential: workload-identity\n"                                        # 11
)


def sub(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def psub(old: str, new: str) -> str:
    return sub(old, new, PROJECT_BASE)


def at(line: int, column: int, rest: str, file: str = APP) -> str:
    return f"{file}:{line}:{column}: error: {rest}"


def pat(line: int, column: int, rest: str) -> str:
    return at(line, column, rest, PROJECT)


SYNTAX = "YAML syntax error"
FREQ = "appRoles[0].accessPackage.accessReview.frequencyDays"

# Cases that expose a bug in idamconf (not fixed here): name -> why the test is expected to fail.
READER = ("bug: PyYAML's ReaderError has no problem_mark, so the diagnostic has no line:column (file only) and ends "
          "with 'in \"<unicode string>\", position N'")
CRASH = "bug: the tag's constructor raises on this text: an unexpected {} (one line and a log) instead of a diagnostic"
XFAIL = {  # cases that expose a known bug, with the reason: none open now
}
TYPE = "expected "

# name -> (content: str | bytes, [expected substrings], target file "app" | "project")
CASES: dict[str, tuple] = {}


FILES: dict[str, dict[str, bytes]] = {}  # case -> files it adds to the configuration (path -> bytes): files/


def case(name: str, content, *expected: str, target: str = "app", xfail: str = "", files=None) -> None:
    assert name not in CASES, name
    CASES[name] = (content, list(expected), target, xfail or XFAIL.get(name, ""))
    if files:
        FILES[name] = files


# --- YAML syntax errors -------------------------------------------------------------------------------------------
case("syntax-unclosed-flow-sequence", sub("grace.comms@contoso.com]\n", "grace.comms@contoso.com\n"),
     at(4, 9, SYNTAX + ": did not find expected ',' or ']'"))
case("syntax-unclosed-flow-mapping", BASE + "web: {redirectUris: [https://blog.contoso.com/]\n",
     at(14, 1, SYNTAX + ": did not find expected ',' or '}'"))
case("syntax-unclosed-double-quote", sub("displayName: WordPress Blog", 'displayName: "WordPress Blog'),
     at(13, 1, SYNTAX + ": found unexpected end of stream (while scanning a quoted scalar)"))
case("syntax-unclosed-single-quote", sub("displayName: WordPress Blog", "displayName: 'WordPress Blog"),
     at(13, 1, SYNTAX + ": found unexpected end of stream (while scanning a quoted scalar)"))
case("syntax-colon-in-plain-value", sub("displayName: WordPress Blog", "displayName: WordPress: Blog"),
     at(2, 23, SYNTAX + ": mapping values are not allowed"))
case("syntax-unknown-escape", sub("displayName: WordPress Blog", 'displayName: "Word\\qPress"'),
     at(2, 19, SYNTAX + ": found unknown escape character"))
case("syntax-undefined-alias", sub("displayName: WordPress Blog", "displayName: *nowhere"),
     at(2, 14, SYNTAX + ": found undefined alias"))
case("syntax-character-at-sign", sub("displayName: WordPress Blog", "displayName: @wordpress"),
     at(2, 14, SYNTAX + ": found character"), "that cannot start any token")
case("syntax-character-backtick", sub("displayName: WordPress Blog", "displayName: `wordpress`"),
     at(2, 14, SYNTAX + ": found character"), "that cannot start any token")
case("syntax-stray-closing-bracket", sub("owners: [alice.admin@contoso.com, grace.comms@contoso.com]", "owners: ]"),
     "applications/wordpress.yaml:3:9: error: " + SYNTAX)
case("syntax-missing-colon", sub("name: wordpress", "name wordpress"), at(2, 12, SYNTAX))
case("syntax-bad-indentation", sub("    value: Blog.Writer", "     value: Blog.Writer"),
     at(6, 11, SYNTAX))
case("syntax-dedented-sequence-item", sub("  - displayName: Writer\n    value", "  - displayName: Writer\n value"),
     at(6, 2, SYNTAX))
case("syntax-incompatible-yaml-directive", "%YAML 2.0\n---\n" + BASE, "applications/wordpress.yaml:1:1:",
     SYNTAX + ": found incompatible YAML document")
case("syntax-unknown-directive-without-document", "%FOO bar\n" + BASE, at(1, 5, SYNTAX))
case("syntax-anchor-without-name", sub("displayName: WordPress Blog", "displayName: & WordPress"),
     at(2, 15, SYNTAX + ": did not find expected alphabetic or numeric character"))
case("syntax-block-scalar-bad-indent", BASE + "description: |\n  first line\n second line\n",
     at(15, 2, SYNTAX))
case("syntax-sequence-after-mapping", BASE + "- stray item\n", "applications/wordpress.yaml:13:1: error: " + SYNTAX)
case("syntax-flow-mapping-missing-comma", BASE + "web: {redirectUris: [] spa: []}\n",
     at(13, 24, SYNTAX + ": did not find expected ',' or '}'"))
case("syntax-only-a-colon", ":\n", at(1, 1, SYNTAX))

# --- tabs -------------------------------------------------------------------------------------------------------
case("tab-indented-sequence-item", sub("  - displayName: Writer", "\t- displayName: Writer"),
     "applications/wordpress.yaml:5:1: error: " + SYNTAX, "indent with spaces, not tabs")
case("tab-indented-nested-key", sub("        frequencyDays: 180", "\t\tfrequencyDays: 180"),
     at(12, 1, SYNTAX), "indent with spaces, not tabs")
case("tab-before-top-level-key", sub("displayName: WordPress Blog", "\tdisplayName: WordPress Blog"),
     at(2, 1, SYNTAX), "indent with spaces, not tabs")

# --- duplicate keys ---------------------------------------------------------------------------------------------
case("duplicate-top-level-key", BASE + "displayName: Again\n",
     at(13, 1, "duplicate key 'displayName' (first set on line 2)"), "remove one of the two")
case("duplicate-key-in-role", sub("    description: Drafts posts.\n",
                                  "    description: Drafts posts.\n    value: Blog.Other\n"),
     at(8, 5, "appRoles[0]: duplicate key 'value' (first set on line 6)"))
case("duplicate-key-in-access-package", sub("      accessReview:\n", "      approvers: [bob.ops@contoso.com]\n"
                                            "      accessReview:\n"),
     at(10, 7, "appRoles[0].accessPackage: duplicate key 'approvers' (first set on line 9)"))
case("duplicate-key-in-access-review", BASE + "        frequencyDays: 90\n",
     at(13, 9, "appRoles[0].accessPackage.accessReview: duplicate key 'frequencyDays' (first set on line 12)"))
case("duplicate-key-in-flow-mapping", BASE + "web: {redirectUris: [], redirectUris: []}\n",
     at(13, 25, "web: duplicate key 'redirectUris' (first set on line 13)"))
case("duplicate-key-quoted-and-plain", BASE + '"name": wordpress\n',
     at(13, 1, "duplicate key 'name' (first set on line 1)"))
case("duplicate-key-same-boolean", BASE + "true: a\nTrue: b\n",
     at(14, 1, "duplicate key 'True' (first set on line 13)"))
case("duplicate-environment-in-project", PROJECT_BASE + "  local:\n    emulator: true\n",
     pat(12, 3, "environments: duplicate key 'local' (first set on line 4)"), target="project")

# --- wrong types, every field -----------------------------------------------------------------------------------
case("type-name-list", sub("name: wordpress", "name: [wordpress]"), at(1, 7, "name: expected a string, found a list"))
case("type-name-number", sub("name: wordpress", "name: 123"), at(1, 7, "name: expected a string, found a whole number"))
case("type-name-null", sub("name: wordpress", "name:"),
     at(1, 6, "name: expected a string, found nothing (an empty value)"))
case("type-display-name-bool", sub("displayName: WordPress Blog", "displayName: yes"),
     at(2, 14, "displayName: expected a string, found true/false"))
case("type-display-name-mapping", sub("displayName: WordPress Blog", "displayName: {text: x}"),
     at(2, 14, "displayName: expected a string, found a mapping"))
case("type-description-list", BASE + "description: [a, b]\n",
     at(13, 14, "description: expected a string, found a list"))
case("type-organisation-number", BASE + "organisation: 1234\n",
     at(13, 15, "organisation: expected a string, found a whole number"))
case("type-department-list", BASE + "department: [idam]\n", at(13, 13, "department: expected a string, found a list"))
case("type-owners-string", sub("owners: [alice.admin@contoso.com, grace.comms@contoso.com]",
                               "owners: alice.admin@contoso.com"),
     at(3, 9, "owners: expected a list, found a string"), "list at least one owner")
case("type-owners-mapping", sub("owners: [alice.admin@contoso.com, grace.comms@contoso.com]",
                                "owners: {alice: alice.admin@contoso.com}"),
     at(3, 9, "owners: expected a list, found a mapping"))
case("type-owner-item-number", sub("alice.admin@contoso.com, grace", "42, grace"),
     at(3, 10, "owners[0]: expected a string, found a whole number"))
case("type-sign-in-audience-number", BASE + "signInAudience: 1\n",
     at(13, 17, "signInAudience: '1' is not one of AzureADMyOrg"))
case("type-web-list", BASE + "web: [https://blog.contoso.com/]\n", at(13, 6, "web: expected a mapping, found a list"))
case("type-web-redirect-uris-string", BASE + "web: {redirectUris: https://blog.contoso.com/}\n",
     at(13, 21, "web.redirectUris: expected a list, found a string"))
case("type-spa-string", BASE + "spa: https://blog.contoso.com/\n", at(13, 6, "spa: expected a mapping, found a string"))
case("type-identifier-uris-string", BASE + "identifierUris: api://eucs-idam-wordpress\n",
     at(13, 17, "identifierUris: expected a list, found a string"))
case("type-tags-mapping", BASE + "tags: {a: b}\n", at(13, 7, "tags: expected a list, found a mapping"))
case("type-tag-item-number", BASE + "tags: [1]\n", at(13, 8, "tags[0]: expected a string, found a whole number"))
case("type-environments-string", BASE + "environments: live\n",
     at(13, 15, "environments: expected a list, found a string"))
case("type-app-roles-mapping", sub("appRoles:\n", "appRoles: {}\nx:\n").split("  - displayName")[0],
     at(4, 11, "appRoles: expected a list, found a mapping"))
case("type-app-role-item-string", BASE + "  - Blog.Reader\n",
     at(13, 5, "appRoles[1]: expected a mapping, found a string"))
case("type-role-display-name-number", sub("  - displayName: Writer", "  - displayName: 7"),
     at(5, 18, "appRoles[0].displayName: expected a string, found a whole number"))
case("type-role-value-list", sub("    value: Blog.Writer", "    value: [Blog.Writer]"),
     at(6, 12, "appRoles[0].value: expected a string, found a list"))
case("type-role-description-number", sub("    description: Drafts posts.", "    description: 3.5"),
     at(7, 18, "appRoles[0].description: expected a string, found a decimal number"))
case("type-allowed-member-types-string", sub("    description: Drafts posts.\n",
                                             "    description: Drafts posts.\n    allowedMemberTypes: User\n"),
     at(8, 25, "appRoles[0].allowedMemberTypes: expected a list, found a string"))
case("enum-allowed-member-type-typo", sub("    description: Drafts posts.\n",
                                          "    description: Drafts posts.\n    allowedMemberTypes: [Users]\n"),
     at(8, 26, "appRoles[0].allowedMemberTypes[0]: 'Users' is not one of User, Application"), "did you mean 'User'?")
case("type-role-enabled-string", sub("    description: Drafts posts.\n",
                                     "    description: Drafts posts.\n    enabled: definitely\n"),
     at(8, 14, "appRoles[0].enabled: expected true or false, found a string"))
case("type-role-enabled-number", sub("    description: Drafts posts.\n",
                                     "    description: Drafts posts.\n    enabled: 1\n"),
     at(8, 14, "appRoles[0].enabled: expected true or false, found a whole number"))
case("type-role-id-number", sub("    description: Drafts posts.\n", "    description: Drafts posts.\n    id: 12345\n"),
     at(8, 9, "appRoles[0].id: expected a string, found a whole number"))
case("type-access-package-list",
     sub("    accessPackage:\n", "    accessPackage: []\n    x:\n").split("      approvers")[0],
     at(8, 20, "appRoles[0].accessPackage: expected a mapping, found a list"))
case("type-package-name-number", sub("      accessReview:\n", "      name: 5\n      accessReview:\n"),
     at(10, 13, "appRoles[0].accessPackage.name: expected a string, found a whole number"))
case("type-package-catalog-bool", sub("      accessReview:\n", "      catalog: false\n      accessReview:\n"),
     at(10, 16, "appRoles[0].accessPackage.catalog: expected a string, found true/false"))
case("type-approvers-string", sub("      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]",
                                  "      approvers: grace.comms@contoso.com"),
     at(9, 18, "appRoles[0].accessPackage.approvers: expected a list, found a string"))
case("type-justification-string", sub("      accessReview:\n",
                                      "      approverJustificationRequired: 'true'\n      accessReview:\n"),
     at(10, 38, "appRoles[0].accessPackage.approverJustificationRequired: expected true or false, found a string"))
case("type-auto-deny-days-string", sub("      accessReview:\n", "      autoDenyDays: fourteen\n      accessReview:\n"),
     at(10, 21, "appRoles[0].accessPackage.autoDenyDays: expected a whole number, found a string"))
case("type-requestors-number", sub("      accessReview:\n", "      requestors: 3\n      accessReview:\n"),
     "applications/wordpress.yaml:10:19: error: appRoles[0].accessPackage.requestors")
case("type-requestors-bad-item", sub("      accessReview:\n", "      requestors: [{team: x}]\n      accessReview:\n"),
     "applications/wordpress.yaml:10:", "appRoles[0].accessPackage.requestors")
case("type-assignment-days-string", sub("      accessReview:\n", "      assignmentDays: '365'\n      accessReview:\n"),
     at(10, 23, "appRoles[0].accessPackage.assignmentDays: expected a whole number, found a string"))
case("type-access-review-list", sub("      accessReview:\n", "      accessReview: []\n      x:\n"),
     at(10, 21, "appRoles[0].accessPackage.accessReview: expected a mapping, found a list"))
case("type-reviewers-string", sub("        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]",
                                  "        reviewers: grace.comms@contoso.com"),
     at(11, 20, "appRoles[0].accessPackage.accessReview.reviewers: expected a list, found a string"))
case("type-frequency-days-string", sub("frequencyDays: 180", "frequencyDays: '180'"),
     at(12, 24, "appRoles[0].accessPackage.accessReview.frequencyDays: expected a whole number, found a string"))
case("type-frequency-days-bool", sub("frequencyDays: 180", "frequencyDays: true"),
     at(12, 24, "appRoles[0].accessPackage.accessReview.frequencyDays: expected a whole number, found true/false"))
case("type-frequency-days-date", sub("frequencyDays: 180", "frequencyDays: 2024-01-01"),
     at(12, 24, "appRoles[0].accessPackage.accessReview.frequencyDays: expected a whole number, found a string"))
case("type-duration-days-list", BASE + "        durationDays: [14]\n",
     at(13, 23, "appRoles[0].accessPackage.accessReview.durationDays: expected a whole number, found a list"))
case("enum-unreviewed-typo", BASE + "        unreviewed: removed\n",
     at(13, 21, "appRoles[0].accessPackage.accessReview.unreviewed: 'removed' is not one of remove, keep, "
        "recommendation"), "did you mean 'remove'?")
case("enum-sign-in-audience-typo", BASE + "signInAudience: AzureADMyOrgs\n",
     at(13, 17, "signInAudience: 'AzureADMyOrgs' is not one of"), "did you mean 'AzureADMyOrg'?")
case("missing-required-name", sub("name: wordpress\n", ""), at(1, 1, "missing required key 'name'"))
case("missing-role-value-and-id", sub("    value: Blog.Writer\n", ""),
     at(5, 5, "appRoles[0]: role 'Writer' has neither a value nor an id"), "its id: a GUID")
case("missing-required-approvers", sub("      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n", ""),
     at(9, 7, "appRoles[0].accessPackage: the policy says nobody who approves requests"),
     "or approval: none to grant requests without approval")
case("missing-required-frequency", sub("        frequencyDays: 180\n", ""),
     at(11, 9, "appRoles[0].accessPackage.accessReview: missing required key 'frequencyDays'"))

# --- decimals where integers belong --------------------------------------------------------------------------------
case("decimal-frequency-days", sub("frequencyDays: 180", "frequencyDays: 180.0"),
     at(12, 24, f"{FREQ}: expected a whole number, found a decimal number"))
case("decimal-auto-deny-days", sub("      accessReview:\n", "      autoDenyDays: 7.5\n      accessReview:\n"),
     at(10, 21, "appRoles[0].accessPackage.autoDenyDays: expected a whole number, found a decimal number"))
case("decimal-assignment-days", sub("      accessReview:\n", "      assignmentDays: 365.0\n      accessReview:\n"),
     at(10, 23, "appRoles[0].accessPackage.assignmentDays: expected a whole number, found a decimal number"))
case("decimal-duration-days-exponent", BASE + "        durationDays: 1.4e+1\n",
     at(13, 23, "appRoles[0].accessPackage.accessReview.durationDays: expected a whole number, found a decimal number"))
case("decimal-frequency-infinity", sub("frequencyDays: 180", "frequencyDays: .inf"),
     at(12, 24, f"{FREQ}: expected a whole number, found a decimal number"))
case("decimal-frequency-nan", sub("frequencyDays: 180", "frequencyDays: .nan"),
     at(12, 24, f"{FREQ}: expected a whole number, found a decimal number"))

# --- review frequencies and other ranges ----------------------------------------------------------------------------
case("frequency-zero", sub("frequencyDays: 180", "frequencyDays: 0"),
     at(12, 24, f"{FREQ}: 0 is less than the minimum of 1"))
case("frequency-negative", sub("frequencyDays: 180", "frequencyDays: -7"),
     at(12, 24, f"{FREQ}: -7 is less than the minimum of 1"))
case("frequency-over-maximum", sub("frequencyDays: 180", "frequencyDays: 3651"),
     at(12, 24, f"{FREQ}: 3651 is greater than the maximum of 3650"))
case("frequency-astronomical", sub("frequencyDays: 180", "frequencyDays: 1000000000000000000000000000000"),
     at(12, 24, f"{FREQ}: 1000000000000000000000000000000 is greater than the maximum of 3650"))
case("frequency-too-often", sub("frequencyDays: 180", "frequencyDays: 14"),
     at(12, 24, f"{FREQ}: reviews every 14 days; the organisation requires every 30 to 365 days [review.frequency]"))
case("frequency-too-rare", sub("frequencyDays: 180", "frequencyDays: 730"),
     at(12, 24, f"{FREQ}: reviews every 730 days; the organisation requires every 30 to 365 days"))
case("frequency-unrepresentable-100", sub("frequencyDays: 180", "frequencyDays: 100"),
     at(12, 24, f"{FREQ}: Graph cannot repeat a review every 100 days: reviews recur weekly or monthly"),
     "use 98 (every 14 weeks) or 105 (every 15 weeks)")
case("frequency-unrepresentable-31", sub("frequencyDays: 180", "frequencyDays: 31"),
     at(12, 24, f"{FREQ}: Graph cannot repeat a review every 31 days"), "use 30 (every 1 month) or 35 (every 5 weeks)")
case("frequency-unrepresentable-hex", sub("frequencyDays: 180", "frequencyDays: 0x1f"),
     at(12, 24, f"{FREQ}: Graph cannot repeat a review every 31 days"))
case("frequency-unrepresentable-364-plus-one", sub("frequencyDays: 180", "frequencyDays: 366"),
     at(12, 24, f"{FREQ}: Graph cannot repeat a review every 366 days"))
case("auto-deny-days-over-maximum", sub("      accessReview:\n", "      autoDenyDays: 15\n      accessReview:\n"),
     at(10, 21, "appRoles[0].accessPackage.autoDenyDays: 15 is greater than the maximum of 14"))
case("auto-deny-days-zero", sub("      accessReview:\n", "      autoDenyDays: 0\n      accessReview:\n"),
     at(10, 21, "appRoles[0].accessPackage.autoDenyDays: 0 is less than the minimum of 1"))
case("assignment-days-over-maximum", sub("      accessReview:\n", "      assignmentDays: 3651\n      accessReview:\n"),
     at(10, 23, "appRoles[0].accessPackage.assignmentDays: 3651 is greater than the maximum of 3650"))
case("duration-days-over-maximum", BASE + "        durationDays: 181\n",
     at(13, 23, "appRoles[0].accessPackage.accessReview.durationDays: 181 is greater than the maximum of 180"))

# --- GUIDs ------------------------------------------------------------------------------------------------------
ROLE_ID = "    description: Drafts posts.\n"
for name, guid in {"guid-not-a-guid": "not-a-guid", "guid-too-short": "8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c1",
                   "guid-braced": "'{8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11}'",
                   "guid-non-hex": "8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3cgg",
                   "guid-no-hyphens": "8f0e3e5a1b2c4d6e9a2a0d4c9f6f3c11",
                   "guid-trailing-text": "8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11x"}.items():
    case(name, sub(ROLE_ID, ROLE_ID + f"    id: {guid}\n"), at(8, 9, "appRoles[0].id: '"), "is not a valid value here",
         "use a GUID")
case("group-requestor-empty-name",
     sub("      accessReview:\n", "      requestors: [{group: ''}]\n      accessReview:\n"),
     "applications/wordpress.yaml:10:", "appRoles[0].accessPackage.requestors")
case("guid-duplicate-role-id", sub(ROLE_ID, ROLE_ID + "    id: 8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11\n") +
     "  - displayName: Reader\n    value: Blog.Reader\n    id: 8F0E3E5A-1B2C-4D6E-9A2A-0D4C9F6F3C11\n",
     at(16, 9, "appRoles[1].id: role id 8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11 is used twice"))

# --- approval stages, relative approvers, escalation (config/policy.py) -------------------------------------------
APPROVERS = "      approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"
case("policy-stage-without-approvers", sub(APPROVERS, "      stages:\n        - approvers: []\n"),
     at(10, 22, "appRoles[0].accessPackage.stages[0].approvers"), "name at least one approver")
case("policy-manager-without-fallback", sub(APPROVERS, "      approvers: [manager, alice.admin@contoso.com]\n"),
     at(9, 19, "appRoles[0].accessPackage.approvers[0]: 'manager' is among the approvers, but a requestor may have "
        "no manager"), "add fallbackApprovers:")
case("policy-sponsors-without-fallback-in-a-stage",
     sub(APPROVERS, "      stages:\n        - approvers: [alice.admin@contoso.com]\n        - approvers: [sponsors]\n"),
     at(11, 23, "appRoles[0].accessPackage.stages[1].approvers[0]: 'sponsors' is among the approvers"),
     "add fallbackApprovers:")
case("policy-manager-reviewer-without-fallback",
     sub("        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n",
         "        reviewers: [manager, frank.audit@contoso.com]\n"),
     at(11, 21, "appRoles[0].accessPackage.accessReview.reviewers[0]: 'manager' is among the reviewers"),
     "add fallbackReviewers:")
case("policy-escalation-after-denial",
     sub(APPROVERS, APPROVERS + "      autoDenyDays: 7\n      escalation: {afterDays: 7, approvers: [bob.ops@contoso.com]}\n"),
     at(11, 31, "appRoles[0].accessPackage.escalation.afterDays: the request is escalated after 7 days, but denied "
        "after 7"), "use afterDays below 7")
case("policy-approvers-beside-stages",
     sub(APPROVERS, APPROVERS + "      stages:\n        - approvers: [bob.ops@contoso.com]\n"),
     at(9, 18, "appRoles[0].accessPackage.approvers: approvers is written beside stages"),
     "move approvers into the stage it belongs to")
case("policy-approvers-with-no-approval", sub(APPROVERS, APPROVERS + "      approval: none\n"),
     at(9, 18, "appRoles[0].accessPackage.approvers: approvers is written, but approval: none"),
     "remove approvers, or remove approval: none")
case("policy-no-approval-written-otherwise", sub(APPROVERS, "      approval: nobody\n"),
     at(9, 17, "appRoles[0].accessPackage.approval: 'nobody' is not one of none"))
case("policy-four-stages", sub(APPROVERS, "      stages:\n" + "        - approvers: [bob.ops@contoso.com]\n" * 4),
     "applications/wordpress.yaml:10:", "appRoles[0].accessPackage.stages")
case("policy-self-among-reviewers",
     sub("        reviewers: [grace.comms@contoso.com, frank.audit@contoso.com]\n",
         "        reviewers: [frank.audit@contoso.com, self]\n"),
     at(11, 46, "appRoles[0].accessPackage.accessReview.reviewers[1]: self is listed with other reviewers"),
     "list self alone")
POLICY = "      policies:\n        - name: Employees\n          approvers: [grace.comms@contoso.com, bob.ops@contoso.com]\n"
case("policy-question-without-text",
     sub(APPROVERS, APPROVERS + "      questions:\n        - {required: true}\n"),
     at(11, 11, "appRoles[0].accessPackage.questions[0]: missing required key 'text'"),
     "add text:")
case("policy-question-empty-text", sub(APPROVERS, APPROVERS + "      questions:\n        - text: ''\n"),
     "applications/wordpress.yaml:11:", "appRoles[0].accessPackage.questions[0].text")
case("policy-question-choice-twice",
     sub(APPROVERS, APPROVERS + "      questions:\n        - {text: Team?, choices: [News, News]}\n"),
     at(11, 34, "appRoles[0].accessPackage.questions[0].choices: choice 'News' is offered twice"))
case("policy-names-twice", sub(APPROVERS, POLICY + "        - name: EMPLOYEES\n          approval: none\n"),
     at(12, 17, "appRoles[0].accessPackage.policies[1].name: policy name 'EMPLOYEES' is also used by policies[0]"),
     "give each policy its own name")
case("policy-without-name", sub(APPROVERS, "      policies:\n        - approval: none\n"),
     at(10, 11, "appRoles[0].accessPackage.policies[0]: missing required key 'name'"))
case("policy-keys-beside-policies", sub(APPROVERS, POLICY + "      assignmentDays: 30\n"),
     at(12, 23, "appRoles[0].accessPackage.assignmentDays: assignmentDays is written beside policies"),
     "move assignmentDays into the policies it belongs to")
case("policy-admin-only-with-approvers", sub(APPROVERS, APPROVERS + "      requestors: none\n"),
     at(9, 18, "appRoles[0].accessPackage.approvers: approvers is written, but requestors: none means nobody "
        "requests"), "remove approvers, or say who may request")
case("policy-extension-without-expiry", sub(APPROVERS, APPROVERS + "      extension: withApproval\n"),
     at(10, 18, "appRoles[0].accessPackage.extension: assignments of this policy never expire"),
     "add assignmentDays, or remove extension")
case("policy-extension-with-approval-of-nobody",
     sub(APPROVERS, "      approval: none\n      assignmentDays: 30\n      extension: withApproval\n"),
     at(11, 18, "appRoles[0].accessPackage.extension: extension: withApproval, but the policy has no approvers"))
case("policy-automatic-with-approvers",
     sub(APPROVERS, APPROVERS + "      automatic: {rule: (user.department -eq \"Sales\")}\n"),
     at(9, 18, "appRoles[0].accessPackage.approvers: approvers is written, but automatic assigns everyone its rule "
        "matches"), "remove approvers, or remove automatic")
case("policy-automatic-without-rule", sub(APPROVERS, "      automatic: {gracePeriodDays: 7}\n"),
     at(9, 18, "appRoles[0].accessPackage.automatic: missing required key 'rule'"))
case("policy-group-without-name", sub(APPROVERS, "      approvers: [{group: ''}, alice.admin@contoso.com]\n"),
     "applications/wordpress.yaml:9:", "appRoles[0].accessPackage.approvers[0]")


# --- role values --------------------------------------------------------------------------------------------------
VALUE = "appRoles[0].value"
case("role-value-space", sub("value: Blog.Writer", "value: Blog Writer"),
     at(6, 12, f"{VALUE}: 'Blog Writer' is not a valid value here"), "no spaces")
case("role-value-too-long", sub("value: Blog.Writer", "value: " + "x" * 121), at(6, 12, f"{VALUE}: "),
     "is not a valid value here")
case("role-value-leading-dot", sub("value: Blog.Writer", "value: .Writer"),
     at(6, 12, f"{VALUE}: '.Writer' is not a valid value here"))
case("role-value-empty", sub("value: Blog.Writer", "value: ''"), at(6, 12, f"{VALUE}: '' is not a valid value here"))
case("role-value-tab", sub("value: Blog.Writer", 'value: "Blog\\tWriter"'), at(6, 12, f"{VALUE}: "),
     "is not a valid value here")
case("role-value-non-ascii", sub("value: Blog.Writer", "value: Blog.Rédacteur"),
     at(6, 12, f"{VALUE}: 'Blog.Rédacteur' is not a valid value here"))
case("role-value-trailing-space-quoted", sub("value: Blog.Writer", "value: 'Blog.Writer '"),
     at(6, 12, f"{VALUE}: 'Blog.Writer ' is not a valid value here"))
case("role-value-duplicate", BASE + "  - displayName: Other\n    value: Blog.Writer\n",
     at(14, 12, "appRoles[1].value: role value 'Blog.Writer' is used twice"))
case("role-display-name-too-long", sub("  - displayName: Writer", "  - displayName: " + "W" * 101),
     at(5, 18, "appRoles[0].displayName: "), "is longer than 100 characters")

# --- user principal names -------------------------------------------------------------------------------------------
for index, (name, upn) in enumerate({"upn-no-at": "alice.admin", "upn-two-ats": "alice@admin@contoso.com",
                                     "upn-no-domain-dot": "alice@contoso", "upn-display-form":
                                     "'Alice <alice@contoso.com>'", "upn-with-space": "'alice admin@contoso.com'",
                                     "upn-empty-string": "''"}.items()):
    case(name, sub("owners: [alice.admin@contoso.com,", f"owners: [{upn},"), at(3, 10, "owners[0]: "),
         "is not a valid value here", "user principal name")
case("upn-duplicate-owner", sub("grace.comms@contoso.com]\nappRoles", "alice.admin@contoso.com]\nappRoles"),
     at(3, 9, "owners: the list has duplicate entries"))
case("upn-owners-empty", sub("owners: [alice.admin@contoso.com, grace.comms@contoso.com]", "owners: []"),
     at(3, 9, "owners: the list is empty"))
case("upn-bad-approver", sub("approvers: [grace.comms@contoso.com,", "approvers: [grace,"),
     at(9, 19, "appRoles[0].accessPackage.approvers[0]: 'grace' is not a valid value here"))
case("upn-bad-reviewer", sub("reviewers: [grace.comms@contoso.com,", "reviewers: [grace comms,"),
     at(11, 21, "appRoles[0].accessPackage.accessReview.reviewers[0]: 'grace comms' is not a valid value here"))

# --- application names ----------------------------------------------------------------------------------------------
for name, value in {"name-uppercase": "WordPress", "name-underscore": "word_press", "name-leading-hyphen": "-wordpress",
                    "name-trailing-hyphen": "wordpress-", "name-too-long": "w" * 65, "name-dot": "word.press",
                    "name-empty": "''", "name-non-ascii": "wördpress"}.items():
    case(name, sub("name: wordpress", f"name: {value}"), at(1, 7, "name: '"), "is not a valid value here",
         "lowercase letters")
case("name-display-empty", sub("displayName: WordPress Blog", "displayName: ''"),
     at(2, 14, "displayName: the value is empty"))
case("name-display-too-long", sub("displayName: WordPress Blog", "displayName: " + "D" * 121),
     at(2, 14, "displayName: "), "is longer than 120 characters")
case("name-code-bad", BASE + "organisation: EUCS\n", at(13, 15, "organisation: 'EUCS' is not a valid value here"))
case("name-reserved-tag", BASE + "tags: ['idamconf:other']\n",
     at(13, 8, "tags[0]: 'idamconf:other' is not a valid value here"))
case("name-unknown-environment", BASE + "environments: [production]\n",
     at(13, 16, "environments[0]: unknown environment 'production'"))
case("name-redirect-uri-http", BASE + "web: {redirectUris: ['http://blog.contoso.com/']}\n",
     at(13, 22, "web.redirectUris[0]: 'http://blog.contoso.com/' is not a valid value here"))

# --- unknown keys -----------------------------------------------------------------------------------------------
case("unknown-top-level-key-typo", BASE + "descriptoin: x\n", at(13, 1, "unknown key 'descriptoin'"),
     "did you mean 'description'?")
case("unknown-top-level-key-no-match", BASE + "colour: blue\n", at(13, 1, "unknown key 'colour'"),
     "allowed keys here:")
case("unknown-role-key-typo", sub(ROLE_ID, ROLE_ID + "    displayname: Other\n"),
     at(8, 5, "appRoles[0]: unknown key 'displayname'"), "did you mean 'displayName'?")
case("unknown-package-key-typo",
     sub("      accessReview:\n", "      approver: [bob.ops@contoso.com]\n      accessReview:\n"),
     at(10, 7, "appRoles[0].accessPackage: unknown key 'approver'"), "did you mean 'approvers'?")
case("unknown-review-key-typo", BASE + "        unreviewd: keep\n",
     at(13, 9, "appRoles[0].accessPackage.accessReview: unknown key 'unreviewd'"), "did you mean 'unreviewed'?")
case("unknown-web-key-typo", BASE + "web: {redirectUri: []}\n", at(13, 7, "web: unknown key 'redirectUri'"),
     "did you mean 'redirectUris'?")
case("unknown-key-number", BASE + "42: answer\n", at(13, 1, "unknown key '42'"))
case("unknown-key-null", BASE + "~: nothing\n", at(13, 1, "unknown key 'None'"))
case("unknown-project-key-typo", PROJECT_BASE + "projct: x\n", pat(12, 1, "unknown key 'projct'"),
     "did you mean 'project'?", target="project")
case("unknown-environment-key-typo", psub("    graphUrl: https", "    graphURL: https"),
     pat(8, 5, "environments.nle: unknown key 'graphURL'"), "did you mean 'graphUrl'?", target="project")
case("unknown-rule-name", PROJECT_BASE + "    rules: {approvers.three: error}\n",
     pat(12, 13, "environments.nle.rules: unknown key 'approvers.three'"), "did you mean 'approvers.two'?",
     target="project")

# --- document shape ---------------------------------------------------------------------------------------------
case("empty-file", "", at(1, 1, "the file is empty"))
case("comment-only-file", "# yaml-language-server: $schema=../../schemas/application.schema.json\n# nothing here\n",
     at(1, 1, "the file is empty"))
case("whitespace-only-file", "   \n\n  \n", at(1, 1, "the file is empty"))
case("explicit-null-document", "~\n", at(1, 1, "the file is empty"))
case("document-marker-only", "---\n", at(1, 1, "the file is empty"))
case("multiple-documents", BASE + "---\n" + BASE, at(14, 1, "more than one YAML document ('---') in this file"))
case("multiple-empty-documents", "---\n---\n", "applications/wordpress.yaml:3:1: error: more than one YAML document")
case("top-level-list", "- " + BASE.replace("\n", "\n  ").rstrip() + "\n", at(1, 1, "expected a mapping, found a list"))
case("top-level-string", "wordpress\n", at(1, 1, "expected a mapping, found a string"))
case("top-level-number", "42\n", at(1, 1, "expected a mapping, found a whole number"))

# --- nesting and alias bombs -----------------------------------------------------------------------------------
case("deep-nesting-flow", BASE + "description: " + "[" * 60 + "]" * 60 + "\n",
     "applications/wordpress.yaml:13:54: error: document expands to nested more than 40 levels deep")
case("deep-nesting-block", BASE + "".join(f"{'  ' * i}k{i}:\n" for i in range(50)) + "  " * 50 + "v: 1\n",
     "applications/wordpress.yaml:54:83: error: document expands to nested more than 40 levels deep")
case("alias-bomb-lists", "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] +
                                   [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]"
                                    for i in range(1, 9)]) + "\n",
     "applications/wordpress.yaml:", "more than 50,000 values (an alias bomb?)")
case("alias-bomb-mappings", "\n".join(["a0: &a0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x}"] +
                                      [f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(8)) + "}"
                                       for i in range(1, 8)]) + "\n",
     "applications/wordpress.yaml:", "more than 50,000 values (an alias bomb?)")
case("alias-bomb-in-owners", "x: &x [" + ", ".join(["alice.admin@contoso.com"] * 50) + "]\n" +
     "".join(f"y{i}: &y{i} [" + ", ".join([f"*{'x' if i == 0 else f'y{i - 1}'}"] * 50) + "]\n" for i in range(3)),
     "applications/wordpress.yaml:", "an alias bomb?")

# --- merge keys, complex keys and tags ---------------------------------------------------------------------------
case("merge-key", "base: &base {displayName: WordPress Blog}\n" + sub("displayName: WordPress Blog", "<<: *base"),
     at(3, 1, "only plain keys are supported here (no '<<' merges or complex keys)"))
case("merge-key-in-role", sub(ROLE_ID, ROLE_ID + "    <<: {enabled: true}\n"),
     at(8, 5, "appRoles[0]: only plain keys are supported here"))
case("complex-key", BASE + "? [a, b]\n: c\n", at(13, 3, "only plain keys are supported here"))
case("tag-python-object", BASE + "description: !!python/object:os.system echo\n",
     at(13, 14, "description: unsupported YAML tag tag:yaml.org,2002:python/object:os.system"))
case("tag-python-object-on-mapping", BASE + "web: !!python/object:os.system {redirectUris: []}\n",
     "applications/wordpress.yaml:13:6:", "unsupported YAML tag")
case("tag-python-name", sub("displayName: WordPress Blog", "displayName: !!python/name:os.system ''"),
     at(2, 14, "displayName: unsupported YAML tag tag:yaml.org,2002:python/name:os.system"))
case("tag-python-apply", sub("displayName: WordPress Blog", "displayName: !!python/object/apply:os.system"),
     at(2, 14, "displayName: unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system"))
case("tag-custom-local", sub("displayName: WordPress Blog", "displayName: !vault secret/wordpress"),
     at(2, 14, "displayName: unsupported YAML tag !vault"))
case("tag-on-key", BASE + "!custom key: x\n", at(13, 1, "unsupported YAML tag !custom"))
case("tag-int-on-text", sub("frequencyDays: 180", "frequencyDays: !!int many"),
     "applications/wordpress.yaml:12:24:", "frequencyDays")
case("tag-bool-on-text", sub(ROLE_ID, ROLE_ID + "    enabled: !!bool maybe\n"),
     "applications/wordpress.yaml:8:14:", "enabled")
case("tag-float-on-text", sub("frequencyDays: 180", "frequencyDays: !!float lots"),
     "applications/wordpress.yaml:12:24:", "frequencyDays")
case("tag-int-empty", sub("frequencyDays: 180", "frequencyDays: !!int ''"),
     "applications/wordpress.yaml:12:24:", "frequencyDays")
case("tag-verbatim-int-on-text", sub("frequencyDays: 180", "frequencyDays: !<tag:yaml.org,2002:int> often"),
     "applications/wordpress.yaml:12:24:", "frequencyDays")
case("tag-seq-on-scalar", sub("      accessReview:\n", "      requestors: !!seq everyone\n      accessReview:\n"),
     "applications/wordpress.yaml:10:19:", "appRoles[0].accessPackage.requestors")
case("tag-map-on-scalar", sub("      accessReview:\n", "      requestors: !!map everyone\n      accessReview:\n"),
     "applications/wordpress.yaml:10:19:", "appRoles[0].accessPackage.requestors")
case("tag-str-on-number", sub("frequencyDays: 180", "frequencyDays: !!str 180"),
     at(12, 24, f"{FREQ}: expected a whole number, found a string"))

# --- encodings and control characters (bytes) ------------------------------------------------------------------
RAW = BASE.encode()
case("invalid-utf8-byte", RAW.replace(b"WordPress Blog", b"WordPress \xff Blog"),
     at(2, 1, "not valid UTF-8 (byte 0xff)"), "save the file as UTF-8")
case("latin1-encoded", RAW.replace(b"WordPress Blog", "WordPress Café".encode("latin-1")),
     at(2, 1, "not valid UTF-8 (byte 0xe9)"))
case("utf8-truncated-sequence", RAW + b"description: caf\xc3", at(13, 1, "not valid UTF-8 (byte 0xc3)"))
case("utf8-overlong-encoding", RAW.replace(b"Drafts posts.", b"Drafts \xc0\xaf posts."),
     at(7, 1, "not valid UTF-8 (byte 0xc0)"))
case("utf8-encoded-surrogate", RAW.replace(b"Drafts posts.", b"Drafts \xed\xa0\x80 posts."),
     at(7, 1, "not valid UTF-8 (byte 0xed)"))
case("utf16-le-with-bom", "\ufeff".encode("utf-16-le") + BASE.encode("utf-16-le"),
     at(1, 1, "not valid UTF-8 (byte 0xff)"))
case("utf16-be-with-bom", "\ufeff".encode("utf-16-be") + BASE.encode("utf-16-be"),
     at(1, 1, "not valid UTF-8 (byte 0xfe)"))
case("utf16-le-without-bom", BASE.encode("utf-16-le"), "applications/wordpress.yaml:1:", "error:")
case("utf32-le-with-bom", "\ufeff".encode("utf-32-le") + BASE.encode("utf-32-le"),
     at(1, 1, "not valid UTF-8 (byte 0xff)"))
case("utf8-bom-then-error", b"\xef\xbb\xbf" + RAW + b"colour: blue\n", at(13, 1, "unknown key 'colour'"))
case("control-nul-byte", RAW.replace(b"WordPress Blog", b"WordPress\x00Blog"), "applications/wordpress.yaml:2:",
     "error:")
case("control-bell", RAW.replace(b"WordPress Blog", b"WordPress\x07Blog"), "applications/wordpress.yaml:2:", "error:")
case("control-escape", RAW.replace(b"Drafts posts.", b"Drafts \x1b[31m posts."), "applications/wordpress.yaml:7:",
     "error:")
case("control-delete", RAW.replace(b"WordPress Blog", b"WordPress\x7fBlog"), "applications/wordpress.yaml:2:",
     "error:")
case("control-c1-in-value", RAW.replace(b"WordPress Blog", "WordPress\u0090Blog".encode()),
     "applications/wordpress.yaml:2:", "error:")

# --- what a real tenant would refuse (config/tenant_rules.py; examples/idamconf.yaml's environments) ----------------
# An application without roles, for the personal-account audiences (which Graph allows no app roles).
PERSONAL = BASE.split("appRoles:")[0] + "signInAudience: PersonalMicrosoftAccount\n"              # line 4
ENVS = "environments local, devl, nle, live"
WORKS = "fix: use api://{appId}"
case("tenant-identifier-uri-without-tenant-identifier", BASE + "identifierUris: [api://eucs-idam-wordpress]\n",
     at(13, 18, "identifierUris[0]: Graph would refuse identifier URI 'api://eucs-idam-wordpress' in " + ENVS),
     "contains neither the tenant id, the app id nor a verified domain",
     WORKS + " or api://{appId}/eucs-idam-wordpress or https://contoso.com/eucs-idam-wordpress")
case("tenant-identifier-uri-unverified-host", BASE + "identifierUris: ['https://blog.example.com/api']\n",
     at(13, 18, "identifierUris[0]: Graph would refuse identifier URI 'https://blog.example.com/api' in " + ENVS),
     "is on a host that is not a verified domain of the tenant (verifiedDomains: contoso.com)",
     "add it to the environment's verifiedDomains")
case("tenant-identifier-uri-foreign-guid",
     BASE + "identifierUris: ['api://8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11']\n",
     at(13, 18, "identifierUris[0]: Graph would refuse identifier URI 'api://8f0e3e5a-1b2c-4d6e-9a2a-0d4c9f6f3c11'"),
     "names a GUID that is neither the application's id nor the tenant's", WORKS)
case("tenant-identifier-uri-multi-tenant", BASE + "signInAudience: AzureADMultipleOrgs\n"
     "identifierUris: ['api://wordpress/{appId}']\napi: {requestedAccessTokenVersion: 2}\n",
     at(14, 18, "identifierUris[0]: Graph would refuse identifier URI 'api://wordpress/{appId}' in " + ENVS),
     "as a multi-tenant application's must be", WORKS)
case("tenant-identifier-uri-trailing-slash", BASE + "identifierUris: ['api://{appId}/']\n",
     at(13, 18, "identifierUris[0]: identifier URI 'api://{appId}/' ends with a slash"),
     "fix: remove the trailing slash: 'api://{appId}'")
case("tenant-identifier-uri-wildcard", BASE + "identifierUris: ['https://*.contoso.com']\n",
     at(13, 18, "identifierUris[0]: identifier URI 'https://*.contoso.com' contains a wildcard"))
case("tenant-identifier-uri-too-long", BASE + "identifierUris: ['api://{appId}/" + "x" * 215 + "']\n",
     at(13, 18, "identifierUris[0]: identifier URI"), "is longer than 255 characters")  # with {appId} a GUID
case("tenant-identifier-uri-unknown-placeholder", BASE + "identifierUris: ['api://{clientId}']\n",
     at(13, 18, "identifierUris[0]: unknown placeholder {clientId} in 'api://{clientId}'"),
     "fix: use {appId} or {tenantId}")
case("tenant-identifier-uri-with-space", BASE + "identifierUris: ['api://{appId} x']\n",
     at(13, 18, "identifierUris[0]: 'api://{appId} x' is not a valid value here"))
case("tenant-identifier-uris-duplicated-across-files", BASE + "identifierUris: ['https://hr.contoso.com/api']\n",
     at(13, 18, "identifierUris[0]: identifier URI 'https://hr.contoso.com/api' is also declared by application "
                "hr-self-service"))
case("tenant-personal-display-name", PERSONAL.replace("WordPress Blog", "W" * 91),
     at(2, 14, "displayName: is longer than 90 characters, Graph's limit for signInAudience PersonalMicrosoftAccount"))
case("tenant-personal-token-version", PERSONAL + "api: {requestedAccessTokenVersion: 1}\n",
     at(5, 36, "api.requestedAccessTokenVersion: Graph requires v2 access tokens for signInAudience "
               "PersonalMicrosoftAccount"))
case("tenant-personal-app-roles", BASE + "signInAudience: AzureADandPersonalMicrosoftAccount\n",
     at(5, 3, "appRoles: Graph does not support app roles for signInAudience AzureADandPersonalMicrosoftAccount"))
case("tenant-personal-redirect-wildcard", PERSONAL + "web: {redirectUris: ['https://*.contoso.com/signin']}\n",
     at(5, 22, "web.redirectUris[0]: 'https://*.contoso.com/signin' has a wildcard or a query string"))
case("tenant-personal-redirect-query", PERSONAL + "spa: {redirectUris: ['https://blog.contoso.com/?a=1']}\n",
     at(5, 22, "spa.redirectUris[0]: 'https://blog.contoso.com/?a=1' has a wildcard or a query string"))
case("tenant-personal-identifier-uri-urn", PERSONAL + "identifierUris: ['urn:{appId}:wordpress']\n",
     at(5, 18, "identifierUris[0]: identifier URI 'urn:{appId}:wordpress' uses the urn: scheme"))
case("tenant-redirect-uri-forbidden-character", BASE + "web: {redirectUris: ['https://blog.contoso.com/a(b)']}\n",
     at(13, 22, "web.redirectUris[0]: 'https://blog.contoso.com/a(b)' is not a valid value here"),
     "none of ! $ ' ( ) , ;")
case("tenant-redirect-uri-too-long", BASE + "web: {redirectUris: ['https://blog.contoso.com/" + "x" * 240 + "']}\n",
     at(13, 22, "web.redirectUris[0]: "), "is longer than 256 characters")
case("tenant-redirect-uris-too-many", BASE + "web: {redirectUris: [" +
     ", ".join(f"'https://blog.contoso.com/{n}'" for n in range(150)) + "]}\nspa: {redirectUris: [" +
     ", ".join(f"'https://spa.contoso.com/{n}'" for n in range(107)) + "]}\n",
     at(13, 6, "web: 257 redirect URIs across web and spa; Graph allows 256"))
case("tenant-tag-whitespace-only", BASE + "tags: ['   ']\n", at(13, 8, "tags[0]: '   ' is not a valid value here"),
     "a tag of only spaces is refused by Graph")
case("tenant-owners-over-100", sub("owners: [alice.admin@contoso.com, grace.comms@contoso.com]", "owners: [" +
                                   ", ".join(f"user{n}@contoso.com" for n in range(101)) + "]"),
     at(3, 9, "owners: the list has 101 items, more than 100"))
case("tenant-review-longer-than-monthly-recurrence", sub("frequencyDays: 180", "frequencyDays: 30") +
     "        durationDays: 29\n",
     at(13, 23, "appRoles[0].accessPackage.accessReview.durationDays: each review stays open 29 days, longer than "
                "it recurs (every 1 month): Graph refuses it"), "fix: use durationDays of at most 28")
case("tenant-review-longer-than-weekly-recurrence", sub("frequencyDays: 180", "frequencyDays: 14") +
     "        durationDays: 15\n",
     at(13, 23, "appRoles[0].accessPackage.accessReview.durationDays: each review stays open 15 days"),
     "fix: use durationDays of at most 14, or review less often")
case("tenant-id-placeholder-without-tenant-id",
     psub("  nle:\n", "    verifiedDomains: [contoso.com]\n  nle:\n"),
     "applications/payments-api.yaml:9:5: error: identifierUris[0]: 'api://{tenantId}/eucs-idam-payments-api' names "
     "{tenantId}, but environment local declares no tenantId", "fix: add tenantId to environment local in "
     "idamconf.yaml, or use api://{appId}", target="project")
case("project-verified-domain-invalid", psub("    credential: workload-identity\n",
                                             "    credential: workload-identity\n    verifiedDomains: [Contoso.COM]\n"),
     pat(12, 23, "environments.nle.verifiedDomains[0]: 'Contoso.COM' is not a valid value here"),
     "a domain name in lower case", target="project")

# --- idamconf.yaml ----------------------------------------------------------------------------------------------
case("project-unknown-credential", psub("credential: workload-identity", "credential: magic"),
     pat(11, 17, "environments.nle.credential: 'magic' is not one of default, client-secret"), target="project")
case("project-credential-typo", psub("credential: workload-identity", "credential: workload-identiy"),
     pat(11, 17, "environments.nle.credential: 'workload-identiy' is not one of"), "did you mean 'workload-identity'?",
     target="project")
case("project-missing-graph-url", psub("    graphUrl: https://graph.microsoft.com/v1.0\n", ""),
     pat(8, 5, "environments.nle: no graphUrl for a non-emulator environment"),
     "add graphUrl: https://graph.microsoft.com/v1.0", target="project")
case("project-graph-url-not-v1",
     psub("graphUrl: https://graph.microsoft.com/v1.0", "graphUrl: https://graph.microsoft.com/beta"),
     pat(8, 15, "environments.nle.graphUrl: 'https://graph.microsoft.com/beta' is not a valid value here"),
     target="project")
case("project-bad-rule-severity", PROJECT_BASE + "    rules:\n      approvers.two: fatal\n",
     pat(13, 22, "environments.nle.rules.approvers.two: 'fatal' is not one of error, warning, off"), target="project")
case("project-rule-severity-true", PROJECT_BASE + "    rules:\n      approvers.two: on\n",
     pat(13, 22, "environments.nle.rules.approvers.two: 'True' is not one of"), target="project")
case("project-missing-project", psub("project: eucs-idam\n", ""), pat(1, 1, "missing required key 'project'"),
     target="project")
case("project-name-uppercase", psub("project: eucs-idam", "project: EUCS"),
     pat(1, 10, "project: 'EUCS' is not a valid value here"), target="project")
case("project-environments-empty", "project: eucs-idam\nenvironments: {}\n",
     pat(2, 15, "environments: the mapping is empty"), target="project")
case("project-environments-list", "project: eucs-idam\nenvironments: [local]\n",
     pat(2, 15, "environments: expected a mapping, found a list"), target="project")
case("project-environment-name-invalid", PROJECT_BASE + "  Live:\n    emulator: true\n",
     pat(12, 3, "environments: 'Live' is not a valid name"), target="project")
case("project-default-environment-undefined", psub("defaultEnvironment: local", "defaultEnvironment: prod"),
     pat(2, 21, "defaultEnvironment: 'prod' is not an environment defined here"), target="project")
case("project-client-secret-without-env", psub("credential: workload-identity", "credential: client-secret"),
     pat(8, 5, "environments.nle: credential 'client-secret' needs clientSecretEnv"), target="project")
case("project-emulator-and-graph-url",
     psub("    emulator: true\n", "    emulator: true\n    graphUrl: http://127.0.0.1:8931/v1.0\n"),
     pat(5, 5, "environments.local: both emulator: true and graphUrl are set"), target="project")
case("project-tenant-id-not-guid",
     psub("tenantId: 00000000-0000-0000-0000-00000000e001", "tenantId: contoso.onmicrosoft.com"),
     pat(9, 15, "environments.nle.tenantId: 'contoso.onmicrosoft.com' is not a valid value here"), target="project")
case("project-environment-boolean", PROJECT_BASE + "  devl: yes\n",
     pat(12, 9, "environments.devl: expected a mapping, found true/false"), target="project")
case("project-empty-file", "", pat(1, 1, "the file is empty"), target="project")
case("project-syntax-error", psub("project: eucs-idam", "project: [eucs-idam"), "idamconf.yaml:", SYNTAX,
     target="project")
case("project-defaults-bad-organisation", PROJECT_BASE + "defaults: {organisation: E}\n",
     pat(12, 26, "defaults.organisation: 'E' is not a valid value here"), target="project")
case("project-secret-pasted", psub("credential: workload-identity",
                                   "credential: client-secret\n    clientSecretEnv: 'Xy9~canary.Qz'"),
     pat(12, 22, "environments.nle.clientSecretEnv: the value (not shown: it may be a secret)"), target="project")

# --- issue 23: the token goes only to Graph; secrets never echoed; nothing outside the configuration directory ---
NOT_SHOWN = "the value (not shown: it may be a secret) is not a valid value"
GRAPH_ONLY = "environments.nle.graphUrl: not a Microsoft Graph endpoint, and credential 'workload-identity' would " \
             "send the tenant's token there"
for slug, url in (("foreign-host", "https://graph.example.org/v1.0"),
                  ("lookalike-host", "https://graph.microsoft.com.example.org/v1.0"),
                  ("user-information", "https://graph.microsoft.com@example.org/v1.0"),
                  ("plain-http", "http://graph.microsoft.com/v1.0"),
                  ("other-port", "https://graph.microsoft.com:8443/v1.0"),
                  ("azure-ad-graph", "https://graph.windows.net/v1.0")):
    case(f"project-graph-url-{slug}", psub("graphUrl: https://graph.microsoft.com/v1.0", f"graphUrl: {url}"),
         pat(8, 15, GRAPH_ONLY), "https://graph.microsoft.us/v1.0, https://dod-graph.microsoft.us/v1.0",
         target="project")
case("project-graph-url-loopback-with-tenant-credential",
     psub("graphUrl: https://graph.microsoft.com/v1.0", "graphUrl: http://127.0.0.1:8931/v1.0"),
     pat(8, 15, "environments.nle.graphUrl: credential 'workload-identity' signs in to Entra ID, and that token goes "
                "only to Microsoft Graph, not to a loopback address"), "add credential: emulator", target="project")
case("project-ca-bundle-for-graph",
     psub("    credential: workload-identity\n", "    credential: workload-identity\n    caBundle: /etc/proxy-ca.pem\n"),
     pat(12, 15, "environments.nle.caBundle: caBundle is only for a served emulator on loopback"),
     "remove caBundle; Graph is checked against the system's trust store", target="project")
case("project-emulator-credential-to-graph", psub("credential: workload-identity", "credential: emulator"),
     pat(8, 15, "environments.nle.graphUrl: credential 'emulator' is only for an emulator on this machine"),
     "http://127.0.0.1:PORT/v1.0", target="project")
case("project-emulator-credential-lookalike-localhost",
     psub("graphUrl: https://graph.microsoft.com/v1.0\n", "graphUrl: http://localhost.example.org:8931/v1.0\n")
     .replace("credential: workload-identity", "credential: emulator"),
     pat(8, 15, "environments.nle.graphUrl: credential 'emulator' is only for an emulator on this machine"),
     target="project")
case("project-client-secret-env-other-tool", psub("credential: workload-identity",
                                                  "credential: client-secret\n    clientSecretEnv: GITHUB_TOKEN"),
     pat(12, 22, f"environments.nle.clientSecretEnv: {NOT_SHOWN}"),
     "IDAMCONF_<NAME>", "AZURE_CLIENT_SECRET", target="project")
case("project-certificate-path-private-key",
     psub("credential: workload-identity", "credential: certificate\n    certificatePath: |\n"
          "      -----BEGIN PRIVATE KEY-----\n      MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n      -----END PRIVATE KEY-----"),
     pat(12, 22, f"environments.nle.certificatePath: {NOT_SHOWN}"),
     "give the path of the certificate file", target="project")
case("project-certificate-path-two-lines",
     psub("credential: workload-identity", 'credential: certificate\n    certificatePath: "certs/idamconf.pem\\nx"'),
     pat(12, 22, f"environments.nle.certificatePath: {NOT_SHOWN}"),
     target="project")
case("project-seed-absolute-path", psub("seed: emulator/directory.yaml", "seed: /etc/passwd"),
     pat(6, 11, "environments.local.seed: the seed file is outside the configuration directory"), target="project")
case("project-seed-parent-directory", psub("seed: emulator/directory.yaml", "seed: ../../emulator/directory.yaml"),
     pat(6, 11, "environments.local.seed: the seed file is outside the configuration directory"), target="project")
# session 51: validate accepted these; plan stopped at the seed without idamconf.yaml's line (none there, a
# directory), or waited forever to read it (a FIFO: generated at test time)
case("project-seed-missing-file", psub("seed: emulator/directory.yaml", "seed: emulator/nothing.yaml"),
     pat(6, 11, "environments.local.seed: no seed file 'emulator/nothing.yaml' in the configuration directory"),
     target="project")
case("project-seed-a-directory", psub("seed: emulator/directory.yaml", "seed: emulator"),
     pat(6, 11, "environments.local.seed: 'emulator' is not a regular file (a directory, a FIFO or a device)"),
     target="project")

# --- API permissions by name (config/permissions.py); the tenant's APIs are checked by plan ------------------------
# The copy of examples/ holds payments-api, whose application roles are Payments.Read and Payments.Submit.
PAYMENTS = "apiPermissions:\n  - api: payments-api\n    application: [Payments.Submit]\n"  # lines 13-15
case("api-permission-unknown-role-of-this-configuration",
     BASE + PAYMENTS.replace("[Payments.Submit]", "[Payments.Submitt]"),
     at(15, 19, "apiPermissions[0].application[0]: payments-api has no application permission 'Payments.Submitt'"),
     "fix: did you mean Payments.Submit")
case("api-permission-role-for-people-only", BASE + PAYMENTS.replace("[Payments.Submit]", "[Payments.Auditor]"),
     at(15, 19, "apiPermissions[0].application[0]: application permission 'Payments.Auditor' of payments-api is a "
                "role for people only"), "add Application to the role's allowedMemberTypes")
case("api-permission-delegated-of-an-api-exposing-none", BASE + PAYMENTS.replace("application:", "delegated:"),
     at(15, 17, "apiPermissions[0].delegated[0]: 'Payments.Submit' is an application permission of payments-api, "
                "not a delegated one"), "move it to application")
case("api-permission-api-listed-twice", BASE + PAYMENTS + "  - api: Payments-API\n    application: [Payments.Read]\n",
     at(16, 10, "apiPermissions[1].api: API 'Payments-API' is also listed at apiPermissions[0]"))
WIDE = ", ".join(f"P{index:03d}." + "x" * 95 for index in range(39))  # 39 values of 100 characters
case("api-permission-consent-scope-longer-than-graph-takes",
     BASE + f"apiPermissions:\n  - api: Microsoft Graph\n    consent: true\n    delegated: [{WIDE}]\n",
     at(16, 16, "apiPermissions[0].delegated: consent to these delegated permissions is a scope of 3,938 characters: "
                "Graph takes at most 3,850"), "request fewer delegated permissions of this API")
MANY_ROLES = "".join(f"  - displayName: Role {index}\n    value: Role.{index}\n" for index in range(700))
case("app-roles-and-scopes-more-than-graph-holds",
     BASE + MANY_ROLES + "api:\n  oauth2PermissionScopes:\n    - value: Orders.Read\n"
     "      adminConsentDisplayName: Read orders\n      adminConsentDescription: Reads orders.\n",
     at(5, 3, "appRoles: 701 app roles and 1 scopes: Graph holds at most 700 together, disabled ones included"),
     "remove roles or scopes no longer used")
case("api-permission-entry-requests-nothing", BASE + "apiPermissions:\n  - api: Microsoft Graph\n    consent: true\n",
     at(14, 5, "apiPermissions[0]: the entry for API 'Microsoft Graph' requests no permission"),
     "add delegated or application permissions, or remove the entry")
case("api-permission-without-api", BASE + "apiPermissions:\n  - delegated: [User.Read]\n",
     at(14, 5, "apiPermissions[0]: missing required key 'api'"))
case("api-permission-name-with-space", BASE + "apiPermissions:\n  - api: Microsoft Graph\n    delegated: [User Read]\n",
     at(15, 17, "apiPermissions[0].delegated[0]: 'User Read' is not a valid value here"),
     "write the permission's value as its API names it, without spaces")
case("api-permission-names-as-a-string", BASE + "apiPermissions:\n  - api: Microsoft Graph\n    delegated: User.Read\n",
     at(15, 16, "apiPermissions[0].delegated: expected a list"))
case("api-permission-consent-as-text", BASE + "apiPermissions:\n  - api: Microsoft Graph\n    delegated: [openid]\n"
     "    consent: 'yes'\n", at(16, 14, "apiPermissions[0].consent: expected true or false"))
case("api-permission-unknown-key", BASE + "apiPermissions:\n  - api: Microsoft Graph\n    scopes: [openid]\n",
     at(15, 5, "apiPermissions[0]: unknown key 'scopes'"))
case("project-allowed-permission-with-space", PROJECT_BASE + "defaults: {allowedPermissions: [Group ReadWrite]}\n",
     pat(12, 33, "defaults.allowedPermissions[0]: 'Group ReadWrite' is not a valid value here"), target="project")
# --- assignments and the service principal's owners ---------------------------------------------------------------
ROLES = BASE + ("  - displayName: Internal User\n"                                       # 13
                "    value: Internal.User\n"                                             # 14
                "  - displayName: Daemon\n"                                              # 15
                "    value: Data.Read\n"                                                 # 16
                "    allowedMemberTypes: [Application]\n"                                # 17
                "  - displayName: Retired\n"                                             # 18
                "    value: Old.Role\n"                                                  # 19
                "    enabled: false\n")                                                  # 20


def assigned(*entries: str) -> str:
    """ROLES with these `assignments` entries (each one line of YAML, from line 22)."""
    return ROLES + "assignments:\n" + "".join(f"  - {entry}\n" for entry in entries)


case("assignment-unknown-role", assigned("{role: Internal.Usr, groups: [HR line managers]}"),
     at(22, 12, "assignments[0].role: the application has no app role 'Internal.Usr'"),
     "did you mean 'Internal.User'?")
case("assignment-default-with-roles", assigned("{role: default, groups: [HR line managers]}"),
     at(22, 12, "assignments[0].role: the default access exists only for an application without app roles"),
     "name one of its roles: Blog.Writer, Internal.User, Data.Read, Old.Role")
case("assignment-names-nobody", assigned("{role: Internal.User}"),
     at(22, 5, "assignments[0]: the assignment of role 'Internal.User' names nobody"),
     "add groups: [<display name>] or users: [<user principal name>]")
case("assignment-role-twice", assigned("{role: Internal.User, groups: [A]}", "{role: Internal.User, users: "
                                       "[carol.hr@contoso.com]}"),
     at(23, 12, "assignments[1].role: role 'Internal.User' is already assigned at line 22"),
     "list every group and user of 'Internal.User' in one entry")
case("assignment-role-for-applications-only", assigned("{role: Data.Read, groups: [HR line managers]}"),
     at(22, 12, "assignments[0].role: role 'Data.Read' cannot be granted to groups or users"),
     "add User to the role's allowedMemberTypes")
case("assignment-role-disabled", assigned("{role: Old.Role, groups: [HR line managers]}"),
     at(22, 12, "assignments[0].role: role 'Old.Role' is disabled, and Graph assigns only enabled roles"))
case("assignment-users-of-a-packaged-role", assigned("{role: Blog.Writer, users: [carol.hr@contoso.com]}"),
     at(22, 32, "assignments[0].users: people get role 'Blog.Writer' through its access package"),
     "assign groups here")
case("assignment-group-id-not-a-guid", assigned("{role: Internal.User, groups: [{id: hr-line-managers}]}"),
     at(22, 41, "assignments[0].groups[0].id: 'hr-line-managers' is not a valid value here"),
     "use the group's object id, a GUID")
case("assignment-group-unknown-key", assigned("{role: Internal.User, groups: [{name: HR}]}"),
     at(22, 37, "assignments[0].groups[0]: unknown key 'name'"))
case("assignment-group-a-number", assigned("{role: Internal.User, groups: [42]}"),
     at(22, 36, "assignments[0].groups[0]: 42 is not a valid value here"),
     "name the group by its display name, e.g. HR line managers, or by its object id")
case("assignment-user-not-a-upn", assigned("{role: Internal.User, users: [Carol HR]}"),
     at(22, 35, "assignments[0].users[0]: 'Carol HR' is not a valid value here"),
     "use the person's user principal name")
case("assignment-unknown-key", assigned("{role: Internal.User, group: [HR line managers]}"),
     at(22, 27, "assignments[0]: unknown key 'group'"), "did you mean 'groups'?")
case("assignment-without-role", assigned("{groups: [HR line managers]}"),
     at(22, 5, "assignments[0]: missing required key 'role'"))
case("service-principal-owner-not-a-upn", BASE + "servicePrincipal:\n  owners: [Alice Admin]\n",
     at(14, 12, "servicePrincipal.owners[0]: 'Alice Admin' is not a valid value here"),
     "use the person's user principal name")
case("service-principal-owners-not-a-list", BASE + "servicePrincipal:\n  owners: alice.admin@contoso.com\n",
     at(14, 11, "servicePrincipal.owners: expected a list, found a string"))
# --- issue 15: exposed scopes, pre-authorised clients, roles without a value, the logo --------------------------------
SCOPE = ("api:\n"                                                                # 13
         "  oauth2PermissionScopes:\n"                                           # 14
         "    - value: Blog.Read\n"                                              # 15
         "      adminConsentDisplayName: Read the blog\n"                        # 16
         "      adminConsentDescription: Lets the application read posts.\n")   # 17
CLIENTS = "  preAuthorizedApplications:\n"                                       # 18
case("scope-missing-admin-consent-description", BASE + SCOPE.replace(
     "      adminConsentDescription: Lets the application read posts.\n", ""),
     at(15, 7, "api.oauth2PermissionScopes[0]: missing required key 'adminConsentDescription'"))
case("scope-type-typo", BASE + SCOPE + "      type: Users\n",
     at(18, 13, "api.oauth2PermissionScopes[0].type: 'Users' is not one of Admin, User"), "did you mean 'User'?")
case("scope-value-with-a-space", BASE + SCOPE.replace("value: Blog.Read", "value: Blog Read"),
     at(15, 14, "api.oauth2PermissionScopes[0].value: 'Blog Read' is not a valid value here"), "no spaces")
case("scope-value-also-a-role-value", BASE + SCOPE.replace("value: Blog.Read", "value: Blog.Writer"),
     at(15, 14, "api.oauth2PermissionScopes[0].value: scope value 'Blog.Writer' is also used by appRoles[0]"),
     "give each scope and role its own value")
case("scope-value-twice", BASE + SCOPE + SCOPE.split("\n", 2)[2],
     at(18, 14, "api.oauth2PermissionScopes[1].value: scope value 'Blog.Read' is also used by "
                "api.oauth2PermissionScopes[0]"))
case("scope-id-also-a-role-id", sub("    value: Blog.Writer\n",
                                    "    value: Blog.Writer\n    id: 2d4f0b3a-1c5e-4f6a-8b7c-9d0e1f2a3b4c\n") + SCOPE +
     "      id: 2D4F0B3A-1C5E-4F6A-8B7C-9D0E1F2A3B4C\n",
     at(19, 11, "api.oauth2PermissionScopes[0].id: scope id '2d4f0b3a-1c5e-4f6a-8b7c-9d0e1f2a3b4c' is also used by "
                "appRoles[0]"))
case("scope-value-too-long-for-personal-accounts",
     "name: wordpress\ndisplayName: WordPress Blog\nowners: [alice.admin@contoso.com]\n"
     "signInAudience: AzureADandPersonalMicrosoftAccount\n" + SCOPE.replace("Blog.Read", "Blog." + "R" * 40),
     at(7, 14, "api.oauth2PermissionScopes[0].value: 'Blog.RRRR"), "is longer than 40 characters, Graph's limit for "
     "a scope of signInAudience AzureADandPersonalMicrosoftAccount")
case("pre-authorized-unknown-scope",
     BASE + SCOPE + CLIENTS + "    - name: orders-portal\n      scopes: [Blog.Delete]\n",
     at(20, 16, "api.preAuthorizedApplications[0].scopes[0]: 'Blog.Delete' is not a scope of this application"),
     "use one of the values under api.oauth2PermissionScopes: Blog.Read")
case("pre-authorized-name-and-app-id", BASE + SCOPE + CLIENTS + "    - name: orders-portal\n"
     "      appId: 04b07795-8ddb-461a-bbee-02f9e1bf7b46\n      scopes: [Blog.Read]\n",
     at(19, 7, "api.preAuthorizedApplications[0]: name the client once: by name (an application of this "
               "configuration) or by appId, not both"), "keep one of name: and appId:")
case("pre-authorized-no-client", BASE + SCOPE + CLIENTS + "    - scopes: [Blog.Read]\n",
     at(19, 7, "api.preAuthorizedApplications[0]: name the client once"))
case("pre-authorized-twice", BASE + SCOPE + CLIENTS + "    - name: orders-portal\n      scopes: [Blog.Read]\n" * 2,
     at(21, 7, "api.preAuthorizedApplications[1]: client 'orders-portal' is pre-authorised twice (also "
               "api.preAuthorizedApplications[0])"), "list all of its scopes in one entry")
case("pre-authorized-unknown-application", BASE + SCOPE + CLIENTS + "    - name: crm\n      scopes: [Blog.Read]\n",
     at(19, 7, "api.preAuthorizedApplications[0]: no application named 'crm' in this configuration"),
     "or by appId: for an application managed elsewhere")
case("pre-authorized-app-id-not-a-guid", BASE + SCOPE + CLIENTS + "    - appId: azure-cli\n      scopes: [Blog.Read]\n",
     at(19, 14, "api.preAuthorizedApplications[0].appId: 'azure-cli' is not a valid value here"),
     "use the client's app id, a GUID")
case("pre-authorized-no-scopes", BASE + SCOPE + CLIENTS + "    - name: orders-portal\n      scopes: []\n",
     at(20, 15, "api.preAuthorizedApplications[0].scopes: the list is empty"))
case("logo-absolute-path", BASE + "logo: /etc/passwd\n",
     at(13, 7, "logo: '/etc/passwd' is outside the configuration directory"), "copy the image into the configuration")
case("logo-parent-directory", BASE + "logo: ../../../../../../etc/hostname\n",
     at(13, 7, "logo: '../../../../../../etc/hostname' is outside the configuration directory"))
case("logo-missing-file", BASE + "logo: images/wordpress.png\n",
     at(13, 7, "logo: no image file 'images/wordpress.png' in the configuration directory"),
     "relative to the directory holding idamconf.yaml")
case("logo-a-directory", BASE + "logo: images\n", at(13, 7, "logo: no image file 'images'"))
case("logo-backslashes", BASE + "logo: images\\orders-portal.png\n",
     at(13, 7, "logo: 'images\\orders-portal.png' is not a valid value here"), "with forward slashes")
case("logo-not-an-image", BASE + "logo: emulator/directory.yaml\n",
     at(13, 7, "logo: 'emulator/directory.yaml' is not a PNG, JPEG or GIF image"),
     "use a PNG, JPEG or GIF image of at most 100 KB")
case("logo-override-missing-file", BASE + "logo: images/orders-portal.png\noverrides:\n  devl:\n"
     "    logo: images/wordpress-devl.png\n",
     at(16, 11, "logo: no image file 'images/wordpress-devl.png' in the configuration directory"))

# --- generated at test time (see BUILDERS in test_bad_inputs.py) ----------------------------------------------------
GENERATED = {
    "huge-file-over-limit": ["applications/wordpress.yaml: error: file is 1,000,001 bytes; the limit is 1,000,000",
                             "split it: one application per file"],
    "huge-project-file-over-limit": ["idamconf.yaml: error: file is 1,000,001 bytes; the limit is 1,000,000"],
    "huge-single-line-under-limit": ["applications/wordpress.yaml:13:14: error: description: ",
                                     "is longer than 1024 characters"],
    "symlink-file-outside": ["applications/wordpress.yaml: error: this file links outside the configuration directory"],
    "symlink-directory-outside": ["applications/linked: error: this directory links outside the "
                                  "configuration directory"],
    "symlink-project-file-outside": ["idamconf.yaml: error: this file links outside the configuration directory"],
    "symlink-seed-outside": ["idamconf.yaml:18:11: error: environments.local.seed: the seed file is outside the "
                             "configuration directory"],
    "logo-over-the-limit": ["applications/wordpress.yaml:13:7: error: logo: 'images/huge.png' is 100,008 bytes: a "
                            "logo is at most 100,000 bytes", "use a PNG, JPEG or GIF image of at most 100 KB"],
    "logo-symlink-outside": ["applications/wordpress.yaml:13:7: error: logo: 'images/linked.png' is outside the "
                             "configuration directory"],
    # session 51: a link to itself was an 'unexpected RuntimeError' (pathlib's "Symlink loop")
    "symlink-loop-application": ["applications/loop.yaml: error: this file is a link that cannot be followed (a loop "
                                 "of links)", "fix: remove the link, or point it at a file inside the configuration"],
    # session 51: a name that is not UTF-8 (any bytes are a name on Linux) was an 'unexpected UnicodeEncodeError' in
    # the configuration's digest; the byte is shown as \xNN
    # session 51: named as application files, these were silently not read
    "dangling-link-application": ["applications/gone.yaml: error: this is not a regular file (a link to nothing, a "
                                  "FIFO or a device), so it cannot be read", "fix: make it the application's file"],
    "fifo-application": ["applications/fifo.yaml: error: this is not a regular file (a link to nothing, a FIFO or a "
                         "device), so it cannot be read"],
    "project-seed-a-fifo": ["idamconf.yaml:18:11: error: environments.local.seed: 'emulator/fifo.yaml' is not a "
                            "regular file (a directory, a FIFO or a device)"],
    "application-file-name-not-utf8": ["applications/wordpress.yaml:2:7: error: name: application name 'wordpress' is "
                                       "already used in ", "applications/odd\\xffname.yaml:1"],
}


# --- issue 19: federated credentials -------------------------------------------------------------------------
FEDERATED = ("name: wordpress\ndisplayName: WordPress Blog\n"
             "owners: [alice.admin@contoso.com, grace.comms@contoso.com]\nfederatedCredentials:\n")
GITHUB = "https://token.actions.githubusercontent.com"


def fic(name: str, environment: str, issuer: str = GITHUB, more: str = "") -> str:
    return f"  - name: {name}\n    issuer: {issuer}\n    subject: repo:contoso/blog:environment:{environment}\n{more}"


case('federated-issuer-not-https',
     FEDERATED + fic("github-live", "live", issuer="http://token.actions.githubusercontent.com"),
     'applications/wordpress.yaml:6:13: error: federatedCredentials[0].issuer')
case('federated-more-than-twenty', FEDERATED + "".join(fic(f"fic-{n}", f"e{n}") for n in range(21)),
     'applications/wordpress.yaml:5:3: error: federatedCredentials')
case('federated-name-not-url-friendly', FEDERATED + fic("github live", "live"),
     'applications/wordpress.yaml:5:11: error: federatedCredentials[0].name')
case('federated-name-twice', FEDERATED + fic("github-live", "live") + fic("GitHub-Live", "nle"),
     "applications/wordpress.yaml:8:11: error: federatedCredentials[1].name: federated credential name 'Gi"
     "tHub-Live' also used by federatedCredentials[0]")
case('federated-subject-twice', FEDERATED + fic("github-live", "live") + fic("github-live-again", "live"),
     'applications/wordpress.yaml:10:14: error: federatedCredentials[1].subject: federated credential issu'
     'er and subject also used by federatedCredentials[0]')
case('federated-two-audiences',
     FEDERATED + fic("github-live", "live", more="    audiences: [api://AzureADTokenExchange, api://another]\n"),
     'applications/wordpress.yaml:8:16: error: federatedCredentials[0].audiences')


# --- access packages of their own (accessPackages:) -------------------------------------------------------------
OWN = BASE + "accessPackages:\n  - name: blog-team\n"                        # 13, 14


def own(lines: str) -> str:
    """A package of its own named blog-team, with `lines` (from line 15)."""
    return OWN + lines


case("own-package-no-grants", own("    approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"),
     at(14, 5, "accessPackages[0]: missing required key 'grants'"))
case("own-package-empty-grants", own("    grants: []\n    approvers: [grace.comms@contoso.com]\n"),
     at(15, 13, "accessPackages[0].grants"))
case("own-package-grant-role-and-group", own("    grants:\n      - {role: Blog.Writer, group: Blog team}\n"
                                             "    approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"),
     at(16, 9, "accessPackages[0].grants[0]"))
case("own-package-unknown-role", own("    grants:\n      - role: Blog.Editor\n"
                                     "    approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"),
     at(16, 15, "accessPackages[0].grants[0].role: application wordpress has no role 'Blog.Editor'"),
     "roles: Blog.Writer")
case("own-package-unknown-application", own("    grants:\n      - {application: crm, role: Crm.Read}\n"
                                            "    approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"),
     at(16, 23, "accessPackages[0].grants[0].application: no application named 'crm' in this "
              "configuration"))
case("own-package-other-application-unknown-role",
     own("    grants:\n      - application: payments-api\n        role: Payments.Refund\n"
         "    approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"),
     at(17, 15, "accessPackages[0].grants[0].role: application payments-api has no role "
              "'Payments.Refund'"))
case("own-package-role-not-for-people",
     own("    grants:\n      - {application: payments-api, role: Payments.Read}\n"
         "    approvers: [grace.comms@contoso.com, alice.admin@contoso.com]\n"),
     "role 'Payments.Read' of payments-api cannot be granted to people")
case("own-package-stage-without-approvers",
     own("    grants: [{role: Blog.Writer}]\n    stages:\n      - autoDenyDays: 7\n"),
     at(17, 9, "accessPackages[0].stages[0]"), "approvers")
case("own-package-manager-without-fallback",
     own("    grants: [{role: Blog.Writer}]\n    approvers: [manager, alice.admin@contoso.com]\n"),
     at(16, 17, "accessPackages[0].approvers[0]: 'manager' is among the approvers"))
case("own-package-question-without-text",
     own("    grants: [{group: Blog team}]\n    approval: none\n    questions:\n      - {required: true}\n"),
     at(18, 9, "accessPackages[0].questions[0]"), "text")
case("own-package-name-twice-in-a-catalog",
     own("    grants: [{role: Blog.Writer}]\n    approval: none\n"
         "  - name: BLOG-TEAM\n    grants: [{group: Blog team}]\n    approval: none\n"),
     at(17, 5, "accessPackages[1]: access package 'BLOG-TEAM' in catalog 'EUCS IDAM applications' is "
              "also declared"), "give each access package its own name")
case("own-package-users-assigned-a-packaged-role",
     BASE[:BASE.index("    accessPackage:")] + "accessPackages:\n  - name: blog-team\n"   # 8, 9
     "    grants: [{role: Blog.Writer}]\n    approval: none\n"                            # 10, 11
     "assignments:\n  - role: Blog.Writer\n    users: [carol.hr@contoso.com]\n",        # 12-14
     at(14, 13, "assignments[0].users[0]: people get role 'Blog.Writer' through an access package"))


# --- issue 20: SAML -----------------------------------------------------------------------------------------------
SAML = ("name: wordpress\ndisplayName: WordPress Blog\n"
        "owners: [alice.admin@contoso.com, grace.comms@contoso.com]\nsso:\n  saml:\n")   # sso: line 4, saml: line 5
ACS = "    replyUrls: [{url: https://sp.example.com/acs}]\n"
# A service provider's signing certificate (P-256, CN=sp.example.com, 2026-2036) and its SHA-256 thumbprint.
SP_CERT = ("MIIBHzCBxaADAgECAgEBMAoGCCqGSM49BAMCMBkxFzAVBgNVBAMMDnNwLmV4YW1wbGUuY29tMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAw"
           "MDAwMFowGTEXMBUGA1UEAwwOc3AuZXhhbXBsZS5jb20wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARvOdCn0QQoOlb0j1ppzJYEHoOIZMYR"
           "8YqGHYDrZ83tHMrFztGsqE3Ul8vqhGwfqSvpfQ26KTmATTndQy8QyktIMAoGCCqGSM49BAMCA0kAMEYCIQD9eJ/LJ6tIBXPHVD7TLXOodGsA"
           "/QmZ+HTp5StUb+gvvQIhAJkFLoUl0h0KhZ9qd1RD1aItH5NbjL4rMMIcM3/uj6RR")
SP_SHA256 = "542D8705B3FF69910CF48825B48D484496405E3EA4712C7D95AA6943A8B2397C"
PINNED = f"    spMetadata: {{file: saml/sp.xml, sha256: {SP_SHA256}}}\n"                            # line 6


def sp_entity(entity: str = "urn:example:sp") -> str:
    return (f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">'
            '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
            f'<ds:X509Certificate>{SP_CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            'Location="https://sp.example.com/acs" index="0" isDefault="true"/></md:SPSSODescriptor>'
            '</md:EntityDescriptor>')


def sp_file(xml: str) -> dict:
    return {"saml/sp.xml": xml.encode("utf-8")}


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
                    for n in range(1, 10)) + ']>\n')
DOCTYPE = "applications/wordpress.yaml:6:24: error: sso.saml.spMetadata.file: 'saml/sp.xml' declares a document type"
case("saml-identifier-from-email", SAML + "    entityId: urn:example:sp\n" + ACS +
     "    userIdentifier: {attribute: uid, source: user.mail}\n",
     at(8, 46, "sso.saml.userIdentifier.source: the user identifier comes from user.mail, an e-mail address or UPN"))
case("saml-identifier-is-the-upn-claim", SAML + "    entityId: urn:example:sp\n" + ACS +
     "    userIdentifier: {attribute: http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn}\n",
     at(8, 33, "sso.saml.userIdentifier.attribute: the user identifier's attribute"))
case("saml-guid-not-rfc-4122", SAML + "    entityId: urn:example:sp\n" + ACS +
     "appRoles:\n  - {displayName: User, id: 00000000-0000-0000-0000-222222222222, allowedMemberTypes: [User]}\n",
     at(9, 29, "appRoles[0].id: 00000000-0000-0000-0000-222222222222 is not an RFC 4122 GUID"))
case("saml-token-lifetime", SAML + "    entityId: urn:example:sp\n" + ACS + "    tokenLifetime: PT8H\n",
     "applications/wordpress.yaml:8:5: error: sso.saml: unknown key 'tokenLifetime'")
case("saml-certificate-five-years", SAML + "    entityId: urn:example:sp\n" + ACS +
     "    signingCertificate: {validityYears: 5}\n",
     at(8, 41, "sso.saml.signingCertificate.validityYears"))
case("saml-two-default-reply-urls", SAML + "    entityId: urn:example:sp\n    replyUrls:\n"
     "      - {url: https://sp.example.com/acs, default: true}\n      - {url: https://sp.example.com/acs2, default: true}\n",
     at(8, 7, "sso.saml.replyUrls: more than one reply URL is the default"))
case("saml-no-entity-id", SAML + ACS, at(6, 5, "sso.saml: sso.saml gives no entityId"))
case("saml-metadata-billion-laughs", SAML + PINNED,
     DOCTYPE, files=sp_file(LAUGHS + sp_entity("&lol9;")))
case("saml-metadata-external-entity", SAML + PINNED, DOCTYPE,
     files=sp_file('<?xml version="1.0"?>\n<!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                   + sp_entity("&xxe;")))
case("saml-metadata-two-entity-descriptors", SAML + PINNED,
     at(6, 24, "sso.saml.spMetadata.file: 'saml/sp.xml' holds a second EntityDescriptor"),
     files=sp_file(sp_entity().replace("</md:SPSSODescriptor>", "</md:SPSSODescriptor>" + sp_entity("urn:other"))))
case("saml-metadata-wrong-thumbprint", SAML + PINNED.replace(SP_SHA256, "AB" * 32),
     at(6, 24, f"sso.saml.spMetadata.file: 'saml/sp.xml' has a signing certificate with SHA-256 thumbprint "
               f"{SP_SHA256}, not the one pinned"), files=sp_file(sp_entity()))
case("saml-metadata-unsigned", SAML + PINNED.replace("}\n", ", signed: true}\n"),
     at(6, 24, "sso.saml.spMetadata.file: 'saml/sp.xml' is not signed, and spMetadata says signed: true"),
     files=sp_file(sp_entity()))


# --- issue 19: client secrets into Key Vault --------------------------------------------------------------------
SECRETS = ("name: wordpress\ndisplayName: WordPress Blog\n"
           "owners: [alice.admin@contoso.com, grace.comms@contoso.com]\nsecrets:\n")


def secret(name: str = "nightly job", vault: str = "https://contoso-blog.vault.azure.net",
           secret_name: str = "blog-client-secret", days: str = "    lifetimeDays: 180\n") -> str:
    return (f"  - displayName: {name}\n{days}    keyvault:\n      vaultUrl: {vault}\n"
            f"      secretName: {secret_name}\n")


VAULT_ONLY = "vaultUrl is not an Azure Key Vault URL, and idamconf writes a client secret to Azure Key Vault only"
case("secret-vault-url-look-alike-host", SECRETS + secret(vault="https://contoso-blog.vault.azure.net.example.com"),
     at(8, 17, f"secrets[0].keyvault.vaultUrl: {VAULT_ONLY}"), "https://<vault name>.vault.azure.net")
case("secret-vault-url-plain-http", SECRETS + secret(vault="http://contoso-blog.vault.azure.net"),
     at(8, 17, f"secrets[0].keyvault.vaultUrl: {VAULT_ONLY}"))
case("secret-vault-url-user-information", SECRETS + secret(vault="https://me:pw@contoso-blog.vault.azure.net"),
     at(8, 17, f"secrets[0].keyvault.vaultUrl: {VAULT_ONLY}"))
case("secret-vault-url-loopback", SECRETS + secret(vault="https://127.0.0.1:8443"),
     at(8, 17, f"secrets[0].keyvault.vaultUrl: {VAULT_ONLY}"))
case("secret-vault-url-another-cloud", SECRETS + secret(vault="https://contoso-blog.vault.azure.cn"),
     at(8, 17, "secrets[0].keyvault.vaultUrl: vaultUrl is a vault of another cloud than the Graph of this "
               "application's environments (vault.azure.net expected)"),
     "    fix: name a vault in the same cloud as graphUrl: https://contoso-blog.vault.azure.net")
case("secret-lifetime-three-years", SECRETS + secret(days="    lifetimeDays: 1095\n"),
     at(6, 19, "secrets[0].lifetimeDays: a secret valid 1095 days; the organisation allows at most 730 (two years) "
               "[secret.lifetime]"), "use lifetimeDays: 730 or less")
case("secret-rotation-not-before-expiry", SECRETS + secret(days="    lifetimeDays: 30\n    rotateBeforeDays: 30\n"),
     at(7, 23, "secrets[0].rotateBeforeDays: rotateBeforeDays (30) is not shorter than lifetimeDays (30)"))
case("secret-overlap-past-expiry", SECRETS + secret(days="    rotateBeforeDays: 10\n    overlapDays: 20\n"),
     at(7, 18, "secrets[0].overlapDays: overlapDays (20) is longer than rotateBeforeDays (10)"))
case("secret-display-name-twice", SECRETS + secret() + secret(name="Nightly Job", secret_name="other"),
     at(10, 18, "secrets[1].displayName: displayName also used by secrets[0]"))
case("secret-vault-secret-twice", SECRETS + secret() + secret(name="weekly job"),
     at(14, 19, "secrets[1].keyvault.secretName: vault secret also used by secrets[0]"))
case("secret-name-not-a-vault-name", SECRETS + secret(secret_name="blog_client_secret"),
     at(9, 19, "secrets[0].keyvault.secretName"), "use letters, digits and hyphens only")
case("secret-without-vault", SECRETS + "  - displayName: nightly job\n", at(5, 5, "secrets[0]"), "keyvault")
case("project-secret-files-in-a-tenant", psub("    credential: workload-identity\n",
                                              "    credential: workload-identity\n    secretFiles: /tmp/secrets\n"),
     pat(12, 18, "environments.nle.secretFiles: secretFiles is for emulator environments only: a tenant's client "
                 "secrets go to Key Vault and nowhere else"), "    fix: remove secretFiles from this environment",
     target="project")
case("project-secret-files-inside-the-configuration",
     psub("    seed: emulator/directory.yaml\n", "    seed: emulator/directory.yaml\n    secretFiles: secrets\n"),
     pat(7, 18, "environments.local.secretFiles: secretFiles is inside the configuration directory, where a secret "
                "is one commit away from the repository"),
     "    fix: name a directory outside it, e.g. ~/.idamconf-secrets/local", target="project")


def main() -> None:
    if CASES_DIR.exists():
        shutil.rmtree(CASES_DIR)
    for name, (content, expected, target, xfail) in CASES.items():
        directory = CASES_DIR / name
        directory.mkdir(parents=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (directory / ("app.yaml" if target == "app" else PROJECT)).write_bytes(data)
        (directory / "expected.txt").write_text("\n".join(expected) + "\n", encoding="utf-8")
        if xfail:
            (directory / "xfail.txt").write_text(xfail + "\n", encoding="utf-8")
        for path, data in FILES.get(name, {}).items():  # copied into the configuration (test_bad_inputs.install)
            (directory / "files" / path).parent.mkdir(parents=True, exist_ok=True)
            (directory / "files" / path).write_bytes(data)
    for name, expected in GENERATED.items():
        directory = CASES_DIR / name
        directory.mkdir(parents=True)
        (directory / "generated.txt").write_text(name + "\n", encoding="utf-8")
        (directory / "expected.txt").write_text("\n".join(expected) + "\n", encoding="utf-8")
        if name in XFAIL:
            (directory / "xfail.txt").write_text(XFAIL[name] + "\n", encoding="utf-8")
    print(f"{len(CASES) + len(GENERATED)} cases in {CASES_DIR}")


if __name__ == "__main__":
    main()
