"""Hypothesis strategies for application files that are valid -- every key the schema knows, values in their
ranges, people from the seeded directory -- and for the same documents broken in one known way, so the loader's
properties see valid and invalid documents alike and can say which each must be."""

from __future__ import annotations

import yaml
from hypothesis import strategies as st

PEOPLE = ["alice.admin@contoso.com", "bob.ops@contoso.com", "carol.hr@contoso.com", "dave.finance@contoso.com",
          "erin.security@contoso.com", "frank.audit@contoso.com", "grace.comms@contoso.com"]
GROUP = {"group": "2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0001"}
TAKEN = {"wordpress", "hr-self-service", "payments-api"}  # the other example files' names
# Review frequencies Graph can represent (weeks, months, a year) within the organisation's 30 to 365 days.
FREQUENCIES = [35, 56, 60, 84, 90, 180, 364, 365]
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'()-", min_size=1,
                max_size=30).map(str.strip).filter(bool)


def people(least: int = 1):
    return st.lists(st.sampled_from(PEOPLE), min_size=least, max_size=3, unique=True)


@st.composite
def review(draw) -> dict:
    found = {"reviewers": draw(people(2)), "frequencyDays": draw(st.sampled_from(FREQUENCIES))}
    if draw(st.booleans()):
        found["durationDays"] = draw(st.integers(1, 28))
    if draw(st.booleans()):
        found["unreviewed"] = draw(st.sampled_from(["remove", "keep", "recommendation"]))
    return found


@st.composite
def access_package(draw) -> dict:
    package = {"approvers": draw(people(2))}
    optional = {
        "description": WORDS, "approverJustificationRequired": st.booleans(), "autoDenyDays": st.integers(1, 14),
        "assignmentDays": st.integers(1, 3650), "accessReview": review(),
        "requestors": st.just("allMembers") | people(1) | people(1).map(lambda upns: [*upns, GROUP]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            package[key] = draw(strategy)
    return package


@st.composite
def application(draw) -> dict:
    name = draw(st.from_regex(r"[a-z][a-z0-9]{0,12}(-[a-z0-9]{1,8})?", fullmatch=True).filter(
        lambda name: name not in TAKEN))
    document = {"name": name, "displayName": draw(WORDS), "owners": draw(people(1))}
    if draw(st.booleans()):
        document["description"] = draw(WORDS)
    if draw(st.booleans()):
        document["signInAudience"] = draw(st.sampled_from(["AzureADMyOrg", "AzureADMultipleOrgs"]))
    if draw(st.booleans()):
        document["web"] = {"redirectUris": [f"https://{name}.contoso.com/signin"]}
    if draw(st.booleans()):
        # Graph refuses an identifier URI without the app's id, the tenant's id or a verified domain (main's rule).
        document["identifierUris"] = [f"api://{{appId}}/generated-{name}"]
    if draw(st.booleans()):
        document["tags"] = draw(st.lists(st.sampled_from(["hr", "finance", "public-facing"]), unique=True))
    if draw(st.booleans()):
        document["environments"] = draw(st.lists(st.sampled_from(["local", "devl", "nle", "live"]), min_size=1,
                                                 unique=True))
    roles = []
    for index in range(draw(st.integers(0, 3))):
        role = {"displayName": f"Role {index} {draw(WORDS)}"[:100], "value": f"Generated.Role{index}"}
        if draw(st.booleans()):
            role["description"] = draw(WORDS)
        if draw(st.booleans()):
            role["allowedMemberTypes"] = draw(st.sampled_from([["User"], ["Application"], ["User", "Application"]]))
        if draw(st.booleans()):
            role["enabled"] = draw(st.booleans())
        if "User" in role.get("allowedMemberTypes", ["User"]) and draw(st.booleans()):
            role["accessPackage"] = draw(access_package())  # only people are given access through a package
        roles.append(role)
    if roles:
        document["appRoles"] = roles
    return document


def _set(path: tuple, value):
    def change(document: dict) -> dict | None:
        target = document
        for part in path[:-1]:
            if isinstance(part, int) and (not isinstance(target, list) or part >= len(target)):
                return None
            if isinstance(part, str) and part not in target:
                return None
            target = target[part]
        target[path[-1]] = value
        return document
    return change


def _drop(key: str):
    def change(document: dict) -> dict:
        del document[key]
        return document
    return change


BREAKS = {  # one way each to make a valid document invalid
    "no name": _drop("name"), "no displayName": _drop("displayName"), "no owners": _drop("owners"),
    "name with capitals": _set(("name",), "Bad_Name"), "no owner": _set(("owners",), []),
    "owner not a UPN": _set(("owners",), ["alice"]), "unknown key": _set(("colour",), "blue"),
    "audience typo": _set(("signInAudience",), "AzureADMyOrgs"), "tag reserved": _set(("tags",), ["idamconf:x"]),
    "unknown environment": _set(("environments",), ["production"]),
    "role without value": _set(("appRoles",), [{"displayName": "Reader"}]),
    "role value with a space": _set(("appRoles", 0, "value"), "Blog Writer"),
    "auto-deny days 15": _set(("appRoles", 0, "accessPackage", "autoDenyDays"), 15),
    "assignment days 0": _set(("appRoles", 0, "accessPackage", "assignmentDays"), 0),
    "approver not a UPN": _set(("appRoles", 0, "accessPackage", "approvers"), ["bob"]),
    "unreviewed typo": _set(("appRoles", 0, "accessPackage", "accessReview", "unreviewed"), "maybe"),
    "review every 31 days": _set(("appRoles", 0, "accessPackage", "accessReview", "frequencyDays"), 31),
    "owner unknown type": _set(("owners",), [5]),
}


@st.composite
def document(draw) -> tuple[str, bool]:
    """(the text of an application file, whether it is valid): valid, or valid but for one break."""
    found = draw(application())
    if draw(st.booleans()):
        return yaml.safe_dump(found, sort_keys=False, allow_unicode=True), True
    for name in draw(st.permutations(sorted(BREAKS))):
        broken = BREAKS[name](found)
        if broken is not None:
            return yaml.safe_dump(broken, sort_keys=False, allow_unicode=True), False
    raise AssertionError("a break that applies to every document is always among them")
