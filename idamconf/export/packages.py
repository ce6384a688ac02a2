"""A role's access package and its policy, written as the role's `accessPackage` block -- and what the block does not
say yet (a second policy, a second approval stage, questions ...), as notes."""

from __future__ import annotations

from ..config.access import default_duration
from ..plan.governance import read_policy
from ..plan.policy import ADMINISTRATORS, ALL_MEMBERS

PERSON = "#microsoft.graph.singleUser"


def package_block(packages: list[dict], policies: dict, people: dict, role: dict) -> tuple[dict, list[str]]:
    """The block for `role` from the packages granting it (the first; the others noted) and their policies."""
    package, notes = packages[0], []
    where = f"appRoles[{role['value']}].accessPackage"
    for other in packages[1:]:
        notes.append(f"{where}: package '{other['displayName']}' also grants this role: only "
                     f"'{package['displayName']}' is written")
    block = {"name": package["displayName"]}
    if package.get("description"):
        block["description"] = package["description"]
    block["catalog"] = (package.get("catalog") or {}).get("displayName")
    if package.get("isHidden"):
        block["hidden"] = True
    if len(package.get("resourceRoleScopes") or []) > 1:
        notes.append(f"{where}: package '{package['displayName']}' grants other roles or resources too: only this "
                     "role is written")
    found = policies.get(package["id"], [])
    if not found:
        notes.append(f"{where}: package '{package['displayName']}' has no policy: nobody can request it; the file "
                     "needs approvers -- add them")
        return {**block, "approvers": []}, notes
    if len(found) > 1:
        notes.append(f"{where}: package '{package['displayName']}' has {len(found)} policies: only "
                     f"'{found[0].get('displayName')}' is written")
    policy_block, policy_notes = _policy(found[0], people, package["displayName"], where)
    return {**block, **policy_block}, notes + policy_notes


def _policy(policy: dict, people: dict, package_name: str, where: str) -> tuple[dict, list[str]]:
    normal, notes, block = read_policy(policy, people), [], {}
    stages = (policy.get("requestApprovalSettings") or {}).get("stages") or []
    if len(stages) > 1:
        notes.append(f"{where}.approvers: the policy has {len(stages)} approval stages: only the first is written")
    if normal["displayName"] != package_name:
        notes.append(f"{where}: the policy's name '{normal['displayName']}' becomes the package's, as idamconf names "
                     "policies")
    if normal.get("approval") == "none":
        block["approval"] = "none"
    else:
        fallbacks = _people(normal.get("fallbackApprovers", []), f"{where}.fallbackApprovers", notes)
        words = ("manager", "sponsors") if fallbacks else ()  # each needs fallbacks (config/policy.py)
        block["approvers"] = _people(normal["approvers"], f"{where}.approvers", notes, words)
        if fallbacks:
            block["fallbackApprovers"] = fallbacks
    if not normal.get("approverJustificationRequired", True):
        block["approverJustificationRequired"] = False
    if normal.get("autoDenyDays") not in (None, 14):
        block["autoDenyDays"] = normal["autoDenyDays"]
    if normal["requestors"] == ADMINISTRATORS:
        block["requestors"] = "none"
    elif normal["requestors"] != ALL_MEMBERS:
        block["requestors"] = _people(normal["requestors"], f"{where}.requestors", notes)
    if normal["assignmentDays"]:
        block["assignmentDays"] = normal["assignmentDays"]
    review = _review(policy, normal["review"], f"{where}.accessReview", notes)
    if review:
        block["accessReview"] = review
    return block, notes


def _people(names: list[str], where: str, notes: list[str], words: tuple = ()) -> list:
    """User principal names, groups by id ({group: <id>}), and the `words` (manager, sponsors, self) allowed here;
    anything else cannot be written here (noted)."""
    written = []
    for name in names:
        if "@" in name or name in words:
            written.append(name)
        elif name.startswith("group:"):
            written.append({"group": name[6:]})
        else:
            notes.append(f"{where}: '{name}' is not someone this file can name here: not written")
    return written


def _review(policy: dict, normal: dict | None, where: str, notes: list[str]) -> dict | None:
    if normal is None:
        return None
    pattern = ((((policy.get("reviewSettings") or {}).get("schedule") or {}).get("recurrence") or {})
               .get("pattern") or {})
    interval = pattern.get("interval") or 0
    days = {"weekly": 7 * interval, "absoluteMonthly": 365 if interval == 12 else 30 * interval}.get(pattern.get("type"))
    if not days:
        notes.append(f"{where}.frequencyDays: the review recurs '{pattern.get('type')}': not written")
        return None
    fallbacks = _people(normal.get("fallbackReviewers", []), f"{where}.fallbackReviewers", notes)
    words = ("self", "manager") if fallbacks else ("self",)  # manager needs fallbacks (config/policy.py)
    review = {"reviewers": _people(normal["reviewers"], f"{where}.reviewers", notes, words), "frequencyDays": days}
    if fallbacks:
        review["fallbackReviewers"] = fallbacks
    if normal["durationDays"] and normal["durationDays"] != default_duration(days):
        review["durationDays"] = normal["durationDays"]
    if normal["unreviewed"] != "remove":
        review["unreviewed"] = normal["unreviewed"]
    return review
