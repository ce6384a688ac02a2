"""A synthetic configuration of N applications, for benchmarks and reliability runs.

Each application has 5 app roles; the User role `Role.4` has an access package with two approvers and a quarterly
access review by two reviewers, and `Role.3` (every third application) a second package without review. Owners,
approvers and reviewers come from a pool of directory users written to `emulator/directory.yaml`, so the
configuration resolves against the embedded or a served emulator seeded from that file.

`write_configuration(root, count)` writes `root/idamconf.yaml`, `root/applications/app-NNNNN.yaml` and the seed
file, and returns the project's tag.
"""

from __future__ import annotations

from pathlib import Path

import yaml

USERS = 40
PROJECT = "synthetic"
TENANT_ID = "5e17a000-0000-4000-8000-000000000001"  # the emulated tenant's id: identifier URIs name it ({tenantId})


def user(number: int) -> str:
    return f"user{number:03d}@contoso.com"


def directory(users: int = USERS) -> dict:
    return {"tenant": {"id": TENANT_ID},
            "users": [{"id": f"3c8e0000-0000-4000-8000-{n:012d}", "userPrincipalName": user(n),
                       "displayName": f"User {n}"} for n in range(users)]}


def application(number: int, owners: int = 1) -> dict:
    people = [user((number * 7 + k) % USERS) for k in range(4)]
    roles = [{"displayName": f"Role {r}", "value": f"Role.{r}", "description": f"Role {r} of application {number}.",
              "allowedMemberTypes": ["Application"] if r < 2 else ["User"]} for r in range(5)]
    roles[4]["accessPackage"] = {"approvers": people[:2], "assignmentDays": 180,
                                 "accessReview": {"reviewers": people[2:4], "frequencyDays": 90}}
    if number % 3 == 0:
        roles[3]["accessPackage"] = {"approvers": people[1:3], "autoDenyDays": 7}
    return {
        "name": f"app-{number:05d}",
        "displayName": f"Synthetic application {number}",
        "description": f"Application {number} of the synthetic tenant.",
        "owners": people[:owners],
        "identifierUris": [f"api://{{tenantId}}/{PROJECT}-app-{number:05d}"],
        "web": {"redirectUris": [f"https://app-{number:05d}.contoso.com/signin-oidc"]},
        "tags": ["synthetic"],
        "appRoles": roles,
    }


def project(environment: dict | None = None) -> dict:
    return {
        "project": PROJECT,
        "defaultEnvironment": "local",
        "defaults": {"organisation": "syn", "department": "idam", "catalog": "Synthetic applications"},
        "environments": {"local": environment or {"emulator": True, "seed": "emulator/directory.yaml",
                                                  "tenantId": TENANT_ID}},
    }


def write_configuration(root: Path, count: int, owners: int = 1, environment: dict | None = None) -> str:
    root = Path(root)
    (root / "applications").mkdir(parents=True, exist_ok=True)
    (root / "emulator").mkdir(exist_ok=True)
    (root / "idamconf.yaml").write_text(yaml.safe_dump(project(environment), sort_keys=False), encoding="utf-8")
    (root / "emulator" / "directory.yaml").write_text(yaml.safe_dump(directory(), sort_keys=False), encoding="utf-8")
    for number in range(count):
        (root / "applications" / f"app-{number:05d}.yaml").write_text(
            yaml.safe_dump(application(number, owners), sort_keys=False), encoding="utf-8")
    return f"idamconf:{PROJECT}"
