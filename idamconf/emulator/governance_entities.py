"""Entitlement management's entity shapes exactly as Graph v1.0 returns them, and the rules Graph enforces on writes.

Like entities.py for the directory: field names are Graph's and every object must deserialise into the msgraph-sdk
models with an empty `additional_data` (tests/emulator/test_governance.py checks it). An assignment policy's complex
properties are declared once as specs (field -> rule, default); `check_policy` validates a body against them and
returns the policy as stored, every default filled.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import uuid

from ..graph.limits import review_period_days
from .entities import GUID, EntitySet
from .errors import bad_request

ORIGIN_SYSTEM = "AadApplication"
GROUP_SYSTEM = "AadGroup"  # a group in a catalog: its roles are Member and Owner, originId <role>_<group id>
ORIGIN_SYSTEMS = (ORIGIN_SYSTEM, GROUP_SYSTEM)
GROUP_ROLES = ("Member", "Owner")
CATALOG_STATES = {"published", "unpublished"}


def catalog_defaults() -> dict:
    return {"id": None, "displayName": None, "description": None, "catalogType": "userManaged",
            "state": "published", "isExternallyVisible": False, "createdDateTime": None, "modifiedDateTime": None}


def access_package_defaults() -> dict:
    return {"id": None, "displayName": None, "description": None, "isHidden": False, "createdDateTime": None,
            "modifiedDateTime": None}


def resource_defaults() -> dict:
    return {"id": None, "displayName": None, "description": None, "originId": None, "originSystem": ORIGIN_SYSTEM,
            "attributes": [], "createdDateTime": None, "modifiedDateTime": None}


POLICY_FIELDS = ("id", "displayName", "description", "allowedTargetScope", "specificAllowedTargets",
                 "automaticRequestSettings", "expiration", "requestorSettings", "requestApprovalSettings",
                 "reviewSettings", "notificationSettings", "questions", "createdDateTime", "modifiedDateTime")


def _entity_set(name: str, odata_type: str, properties, writable, filterable) -> EntitySet:
    return EntitySet(name, f"microsoft.graph.{odata_type}", frozenset(properties), frozenset(writable), filterable)


RESOURCES, ROLE_SCOPES = "accessPackageResources", "resourceRoleScopes"  # kinds: a catalog's apps, a package's roles
GOVERNANCE_SETS = {
    "catalogs": _entity_set("catalogs", "accessPackageCatalog", catalog_defaults(),
                            {"displayName", "description", "state", "isExternallyVisible"},
                            {"displayName": {"eq"}, "id": {"eq"}}),
    "accessPackages": _entity_set("accessPackages", "accessPackage", access_package_defaults(),
                                  {"displayName", "description", "isHidden"}, {"displayName": {"eq"}, "id": {"eq"}}),
    "accessPackageResources": _entity_set("accessPackageResources", "accessPackageResource", resource_defaults(),
                                          (), {"originId": {"eq"}, "displayName": {"eq"}, "id": {"eq"}}),
    "assignmentPolicies": _entity_set("assignmentPolicies", "accessPackageAssignmentPolicy", POLICY_FIELDS, (),
                                      {"displayName": {"eq"}, "id": {"eq"}}),
}


# --------------------------------------------------------------------------------------- roles and scopes, derived
def role_id(resource_id: str, app_role_id: str) -> str:
    return name_based_id(resource_id, app_role_id.lower())


def name_based_id(namespace: str, name: str) -> str:
    """`str(uuid.uuid5(uuid.UUID(namespace), name))` for a namespace in canonical form, in a quarter of the time: a
    page of 999 resources derives 6,000 such ids."""
    digest = bytearray(hashlib.sha1(bytes.fromhex(namespace.replace("-", "")) + name.encode()).digest()[:16])
    digest[6], digest[8] = (digest[6] & 0x0F) | 0x50, (digest[8] & 0x3F) | 0x80  # version 5, RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def resource_roles(resource: dict, service_principal: dict | None) -> list[dict]:
    """One accessPackageResourceRole per app role the service principal has now; a group's Member and Owner."""
    if resource.get("originSystem") == GROUP_SYSTEM:
        return group_roles(resource)
    return [resource_role(resource, app_role) for app_role in (service_principal or {}).get("appRoles", [])]


def group_roles(resource: dict) -> list[dict]:
    """A group resource's roles, as Graph gives them: `Member_<group id>` and `Owner_<group id>`."""
    return [{"id": role_id(resource["id"], f"{name}_{resource['originId']}"), "displayName": name,
             "description": None, "originId": f"{name}_{resource['originId']}", "originSystem": GROUP_SYSTEM}
            for name in GROUP_ROLES]


def resource_role(resource: dict, app_role: dict) -> dict:
    return {"id": role_id(resource["id"], app_role["id"]), "displayName": app_role.get("displayName"),
            "description": app_role.get("description"), "originId": app_role["id"], "originSystem": ORIGIN_SYSTEM}


AppRoleJson = tuple[str, str, str]  # an app role's `id`, `displayName` and `description` as JSON texts
ROLE_ORIGIN_JSON = json.dumps(ORIGIN_SYSTEM)


def resource_role_json(resource_id: str, app_role: AppRoleJson) -> str:
    """`resource_role` written as JSON text straight from the app role's JSON texts, not built and encoded: a page
    of 999 resources holds ~5,000 roles. (tests/emulator/test_read_at_scale.py checks the two agree.)"""
    app_role_id, display_name, description = app_role
    return (f'{{"id":"{role_id(resource_id, json_string(app_role_id))}","displayName":{display_name},'
            f'"description":{description},"originId":{app_role_id},"originSystem":{ROLE_ORIGIN_JSON}}}')


def json_string(text: str) -> str:
    """The string a JSON string literal stands for; without escapes (ids), what lies between the quotes."""
    return text[1:-1] if "\\" not in text else json.loads(text)


def root_scope(resource: dict) -> dict:
    return {"id": name_based_id(resource["id"], "root"), "displayName": "Root",
            "description": "Root Scope", "originId": resource["originId"],
            "originSystem": resource.get("originSystem") or ORIGIN_SYSTEM,
            "isRootScope": True}


# ------------------------------------------------------------------------------------------ catalogs and packages
def check_catalog(body: dict) -> None:
    _check_known(body, GOVERNANCE_SETS["catalogs"])
    _check_name(body)
    if "description" in body and not isinstance(body["description"], (str, type(None))):
        raise bad_request("Invalid value specified for property 'description': expected a string.")
    if "state" in body and body["state"] not in CATALOG_STATES:
        raise bad_request(f"Invalid value specified for property 'state': '{body['state']}'.")
    if "isExternallyVisible" in body and not isinstance(body["isExternallyVisible"], bool):
        raise bad_request("Invalid value specified for property 'isExternallyVisible': expected a boolean.")


def check_access_package(body: dict) -> None:
    _check_known({name: value for name, value in body.items() if name != "catalog"}, GOVERNANCE_SETS["accessPackages"])
    _check_name(body)
    if "description" in body and not isinstance(body["description"], (str, type(None))):
        raise bad_request("Invalid value specified for property 'description': expected a string.")
    if "isHidden" in body and not isinstance(body["isHidden"], bool):
        raise bad_request("Invalid value specified for property 'isHidden': expected a boolean.")


def _check_known(body: dict, entity: EntitySet) -> None:
    for name in body:
        if name.startswith("@odata."):
            continue
        if name not in entity.properties:
            raise bad_request(f"The property '{name}' does not exist on type '{entity.odata_type}'.")
        if name not in entity.writable:
            raise bad_request(f"Property '{name}' is read-only and cannot be set.")


def _check_name(body: dict) -> None:
    if "displayName" in body and (not isinstance(body["displayName"], str) or not body["displayName"].strip()):
        raise bad_request("Property 'displayName' is required and cannot be empty.")


# ---------------------------------------------------------------------------------------------- assignment policy
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FILLED = object()  # default: the complex value with every default filled in
REQUIRED = object()
DAYS = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
SUBJECTS = "subjects"

EXPIRATION = {"endDateTime": ("datetime", None), "duration": ("duration", None),
              "type": ({"notSpecified", "noExpiration", "afterDateTime", "afterDuration"}, "noExpiration")}
STAGE = {"durationBeforeAutomaticDenial": ("duration", None), "isApproverJustificationRequired": (bool, False),
         "isEscalationEnabled": (bool, False), "durationBeforeEscalation": ("duration", None),
         "primaryApprovers": (SUBJECTS, []), "fallbackPrimaryApprovers": (SUBJECTS, []),
         "escalationApprovers": (SUBJECTS, []), "fallbackEscalationApprovers": (SUBJECTS, []),
         "approverInformationVisibility": ({"default", "notVisible", "visible"}, "default")}
APPROVAL = {"isApprovalRequiredForAdd": (bool, False), "isApprovalRequiredForUpdate": (bool, False),
            "isRequestorJustificationRequired": (bool, False), "stages": ([STAGE], [])}
REQUESTOR = {**{name: (bool, False) for name in (
    "enableTargetsToSelfAddAccess", "enableTargetsToSelfUpdateAccess", "enableTargetsToSelfRemoveAccess",
    "allowCustomAssignmentSchedule", "enableOnBehalfRequestorsToAddAccess", "enableOnBehalfRequestorsToUpdateAccess",
    "enableOnBehalfRequestorsToRemoveAccess")}, "onBehalfRequestors": (SUBJECTS, [])}
PATTERN = {"type": ({"daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"},
                    REQUIRED),
           "interval": (int, 1), "month": (int, 0), "dayOfMonth": (int, 0), "daysOfWeek": ([DAYS], []),
           "firstDayOfWeek": (DAYS, "sunday"), "index": ({"first", "second", "third", "fourth", "last"}, "first")}
RANGE = {"type": ({"endDate", "noEnd", "numbered"}, "noEnd"), "numberOfOccurrences": (int, 0),
         "startDate": ("date", None), "endDate": ("date", None), "recurrenceTimeZone": (str, None)}
SCHEDULE = {"startDateTime": ("datetime", None), "expiration": (EXPIRATION, None),
            "recurrence": ({"pattern": (PATTERN, None), "range": (RANGE, None)}, None)}
REVIEW = {"isEnabled": (bool, False),
          "expirationBehavior": ({"keepAccess", "removeAccess", "acceptAccessRecommendation"}, "keepAccess"),
          # accesspackageassignmentreviewsettings.md: both "The default value is `true`."
          "isRecommendationEnabled": (bool, True), "isReviewerJustificationRequired": (bool, True),
          "isSelfReview": (bool, False), "primaryReviewers": (SUBJECTS, []), "fallbackReviewers": (SUBJECTS, []),
          "schedule": (SCHEDULE, None)}
AUTOMATIC = {"requestAccessForAllowedTargets": (bool, False),
             "removeAccessWhenTargetLeavesAllowedTargets": (bool, False),
             "gracePeriodBeforeAccessRemoval": ("duration", None)}
POLICY = {"displayName": (str, None), "description": (str, None),
          "allowedTargetScope": ({"notSpecified", "specificDirectoryUsers", "specificConnectedOrganizationUsers",
                                  "specificDirectoryServicePrincipals", "allMemberUsers", "allDirectoryUsers",
                                  "allDirectoryServicePrincipals", "allConfiguredConnectedOrganizationUsers",
                                  "allExternalUsers"}, "notSpecified"),
          "specificAllowedTargets": (SUBJECTS, []), "automaticRequestSettings": (AUTOMATIC, None),
          "expiration": (EXPIRATION, FILLED), "requestorSettings": (REQUESTOR, FILLED),
          "requestApprovalSettings": (APPROVAL, FILLED), "reviewSettings": (REVIEW, None),
          "questions": (["question"], []),
          "notificationSettings": ({"isAssignmentNotificationDisabled": (bool, False)}, FILLED)}
# subjectSet types by @odata.type, with their properties; the ids a subject names, by the kind of object named.
SUBJECT_SETS = {
    "singleUser": {"userId": ("guid", REQUIRED), "description": (str, None)},
    "groupMembers": {"groupId": ("guid", REQUIRED), "description": (str, None)},
    "requestorManager": {"managerLevel": (int, 1)}, "targetManager": {"managerLevel": (int, 1)},
    "internalSponsors": {}, "externalSponsors": {}, "targetUserSponsors": {}, "targetApplicationOwners": {},
    "connectedOrganizationMembers": {"connectedOrganizationId": ("guid", REQUIRED), "description": (str, None)},
    "attributeRuleMembers": {"membershipRule": (str, REQUIRED), "description": (str, None)},
}
SUBJECT_REFERENCES = {"userId": "users", "groupId": "groups", "connectedOrganizationId": "connectedOrganizations"}
# accessPackageQuestion's subtypes by @odata.type, each with the base type's properties
LOCALIZED = {"languageCode": (str, REQUIRED), "text": (str, None)}
QUESTION = {"id": (str, None), "isAnswerEditable": (bool, False), "isRequired": (bool, False),
            "localizations": ([LOCALIZED], []), "sequence": (int, 0), "text": (str, REQUIRED)}
QUESTIONS = {
    "accessPackageTextInputQuestion": {**QUESTION, "isSingleLineQuestion": (bool, True), "regexPattern": (str, None)},
    "accessPackageMultipleChoiceQuestion": {**QUESTION, "isMultipleSelectionAllowed": (bool, False), "choices": (
        [{"actualValue": (str, REQUIRED), "text": (str, None), "localizations": ([LOCALIZED], [])}], [])},
}


def check_policy(body: dict, exists) -> dict:
    """The policy as stored, from a create (POST) or replace (PUT) body: Graph's validation, every default filled.
    `accessPackage`, `id` and `@odata.*` are the caller's to check; `exists(kind, id)` says whether the directory
    holds that user ("users"), group or connected organization (the emulator serves neither: always refused)."""
    fields = {name: value for name, value in body.items()
              if name not in ("accessPackage", "id") and not name.startswith("@odata.")}
    policy = _complex(fields, POLICY, "accessPackageAssignmentPolicy")
    if not policy["displayName"] or not policy["displayName"].strip():
        raise bad_request("Property 'displayName' is required and cannot be empty.")
    _check_stages(policy["requestApprovalSettings"])
    _check_review(policy["reviewSettings"])
    for kind, object_id in _references(policy):
        if not exists(kind, object_id):
            raise bad_request(f"The subject '{object_id}' ({kind}) named in the policy does not exist in the "
                              "directory.")
    return policy


def _check_stages(approval: dict) -> None:
    count = len(approval["stages"])
    if approval["isApprovalRequiredForAdd"] and not 1 <= count <= 3:
        raise bad_request(f"A policy that requires approval needs 1 to 3 approval stages; {count} were given.")
    if count > 3:
        raise bad_request(f"A policy can have at most 3 approval stages; {count} were given.")


def _check_review(review: dict | None) -> None:
    if review is None or not review["isEnabled"]:
        return
    pattern = ((review["schedule"] or {}).get("recurrence") or {}).get("pattern")
    if pattern is None:  # (inferred) an enabled review needs a schedule with a recurrence to ever run
        raise bad_request("reviewSettings.schedule.recurrence.pattern is required when reviews are enabled.")
    if pattern["type"] not in ("weekly", "absoluteMonthly"):
        raise bad_request(f"Access reviews support only 'weekly' and 'absoluteMonthly' recurrence patterns, "
                          f"not '{pattern['type']}'.")
    if pattern["interval"] < 1:
        raise bad_request("reviewSettings.schedule.recurrence.pattern.interval must be at least 1.")
    expiration = review["schedule"].get("expiration") or {}
    days = duration_days(expiration.get("duration")) if expiration.get("type") == "afterDuration" else None
    if days is not None and days > review_period_days(pattern["type"], pattern["interval"]):
        # graph/limits.py [reviews]: a review may not stay open past the next one's start (inferred wording)
        raise bad_request("The access review duration (reviewSettings.schedule.expiration.duration) cannot be longer "
                          "than its recurrence interval.")


def duration_days(text: str | None) -> float | None:
    """An ISO 8601 duration in days, months counted as 28 days like review_period_days (None if there is none)."""
    match = DURATION.match(text or "")
    if match is None:
        return None
    parts = [float(match.group(group)[:-1]) if match.group(group) else 0.0 for group in (1, 2, 3, 4, 6, 7, 8)]
    return sum(part * days for part, days in zip(parts, (365, 28, 7, 1, 1 / 24, 1 / 1440, 1 / 86400)))


def _references(policy: dict) -> list[tuple[str, str]]:
    """(kind, id) of every directory object the policy's subjects name: targets, requestors, approvers, reviewers."""
    approval, review = policy["requestApprovalSettings"], policy["reviewSettings"] or {}
    subjects = [*policy["specificAllowedTargets"], *policy["requestorSettings"]["onBehalfRequestors"],
                *review.get("primaryReviewers", []), *review.get("fallbackReviewers", [])]
    for stage in approval["stages"]:
        subjects += [subject for name, (rule, _) in STAGE.items() if rule == SUBJECTS for subject in stage[name]]
    return [(kind, subject[name]) for subject in subjects for name, kind in SUBJECT_REFERENCES.items()
            if name in subject]


def _complex(value, spec: dict, type_name: str) -> dict:
    if not isinstance(value, dict):
        raise bad_request(f"Invalid value for a property of type 'microsoft.graph.{type_name}': expected an object.")
    unknown = [name for name in value if name not in spec and not name.startswith("@odata.")]
    if unknown:
        raise bad_request(f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.{type_name}'.")
    return {name: _value(value[name], rule, name) if name in value and value[name] is not None
            else _default(rule, default, name) for name, (rule, default) in spec.items()}


def _default(rule, default, name: str):
    if default is REQUIRED:
        raise bad_request(f"Property '{name}' is required.")
    if default is FILLED:
        return _complex({}, rule, name)
    return list(default) if isinstance(default, list) else default


def _value(value, rule, name: str):
    if isinstance(rule, dict):
        return _complex(value, rule, name)
    if isinstance(rule, list):
        if not isinstance(value, list):
            raise bad_request(f"Invalid value specified for property '{name}': expected a collection.")
        return [_value(item, rule[0], name) for item in value]
    if rule == SUBJECTS:
        return _value(value, ["subject"], name)
    if rule == "subject":
        return _subject(value)
    if rule == "question":
        return _question(value)
    if not _matches(value, rule):
        raise bad_request(f"Invalid value specified for property '{name}': '{value}'.")
    return value


def _matches(value, rule) -> bool:
    if isinstance(rule, set):
        return value in rule
    if rule is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if rule in (bool, str):
        return isinstance(value, rule)
    if rule == "guid":
        return isinstance(value, str) and bool(GUID.match(value))
    if rule == "duration":
        return isinstance(value, str) and bool(DURATION.match(value))
    if rule == "date":
        return isinstance(value, str) and bool(DATE.match(value))
    return rule == "datetime" and isinstance(value, str) and _is_datetime(value)


def _is_datetime(text: str) -> bool:
    try:
        _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _subject(value) -> dict:
    odata_type = value.get("@odata.type", "") if isinstance(value, dict) else ""
    spec = SUBJECT_SETS.get(odata_type.removeprefix("#microsoft.graph."))
    if spec is None:
        raise bad_request(f"Invalid subject set: '@odata.type' must be one of "
                          f"{', '.join('#microsoft.graph.' + name for name in SUBJECT_SETS)}.")
    subject = _complex({name: item for name, item in value.items() if name != "@odata.type"}, spec, "subjectSet")
    return {"@odata.type": odata_type, **subject}


def _question(value) -> dict:
    """A requestor question: its subtype by `@odata.type`, its text required, an id given if it has none."""
    odata_type = value.get("@odata.type", "") if isinstance(value, dict) else ""
    spec = QUESTIONS.get(odata_type.removeprefix("#microsoft.graph."))
    if spec is None:
        raise bad_request("Invalid question: '@odata.type' must be one of "
                          f"{', '.join('#microsoft.graph.' + name for name in QUESTIONS)}.")
    question = _complex({name: item for name, item in value.items() if name != "@odata.type"}, spec,
                        "accessPackageQuestion")
    if not question["text"].strip():
        raise bad_request("Property 'text' of a question is required and cannot be empty.")
    return {"@odata.type": odata_type, **question, "id": question["id"] or str(uuid.uuid4())}
