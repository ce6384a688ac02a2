"""The desired model: what the configuration says the tenant should hold. Immutable values, no I/O."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

# Role ids are uuid5(ROLE_NAMESPACE, "<application name>/<role value>"): the same in every tenant, and nobody
# manages GUIDs by hand. Changing this namespace would re-create every role everywhere: never change it.
ROLE_NAMESPACE = uuid.UUID("3d4f6a52-8c1e-4b7a-9f2d-5e6c7b8a9d01")


def role_id(application: str, value: str) -> str:
    """str(uuid.uuid5(ROLE_NAMESPACE, "<application>/<value>")), without building UUID objects (10,000 roles)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{application}/{value}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_NAMESPACE_BYTES = ROLE_NAMESPACE.bytes


@dataclass(frozen=True)
class Location:
    """Where something is written in the configuration: a file, and a path inside its document. The line and column
    are looked up (in `positions`, a config.yamlfile.Positions) only when a message shows them."""

    file: str
    path: tuple = ()
    positions: object = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int:
        return self.positions.where(self.path)[0] if self.positions is not None else 0

    @property
    def column(self) -> int:
        return self.positions.where(self.path)[1] if self.positions is not None else 0

    def __str__(self) -> str:
        line = self.line
        return f"{self.file}:{line}:{self.column}" if line else self.file

    def at(self, *path) -> "Location":
        """Another place in the same file."""
        return Location(self.file, path, self.positions)


def _each(location: Location | None, below: tuple, count: int) -> tuple[Location, ...]:
    """The locations of the `count` items of the list at `below` under `location` (unknown ones if the model was
    not read from a file)."""
    location = location or Location("")
    return tuple(location.at(*location.path, *below, index) for index in range(count))


@dataclass(frozen=True)
class AccessReview:
    reviewers: tuple[str, ...]
    frequency_days: int
    duration_days: int = 14
    unreviewed: str = "remove"  # remove | keep | recommendation
    location: Location | None = field(default=None, compare=False)

    @property
    def reviewer_locations(self) -> tuple[Location, ...]:
        return _each(self.location, ("reviewers",), len(self.reviewers))


@dataclass(frozen=True)
class AccessPackage:
    """How people get one app role: the package, who approves, who reviews and how often."""

    name: str
    description: str
    catalog: str | None  # None: the environment's catalog
    approvers: tuple[str, ...]
    approver_justification: bool = True
    auto_deny_days: int = 14
    requestors: tuple[str, ...] | None = None  # None: all member users; else UPNs and "group:<object id>"
    assignment_days: int | None = None
    review: AccessReview | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def approver_locations(self) -> tuple[Location, ...]:
        return _each(self.location, ("approvers",), len(self.approvers))

    @property
    def requestor_locations(self) -> tuple[Location, ...]:
        return _each(self.location, ("requestors",), len(self.requestors or ()))


@dataclass(frozen=True)
class AppRole:
    id: str
    value: str
    display_name: str
    description: str | None
    allowed_member_types: tuple[str, ...] = ("User",)
    enabled: bool = True
    access_package: AccessPackage | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Application:
    name: str
    display_name: str
    owners: tuple[str, ...]
    description: str | None = None
    sign_in_audience: str = "AzureADMyOrg"
    web_redirect_uris: tuple[str, ...] = ()
    spa_redirect_uris: tuple[str, ...] = ()
    identifier_uris: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    environments: tuple[str, ...] | None = None  # None: every environment
    app_roles: tuple[AppRole, ...] = ()
    location: Location | None = field(default=None, compare=False)  # of its name
    renamed_from: str | None = None  # the name it was created under (renamedFrom:), kept by the tenant

    @property
    def key(self) -> str:
        """The application's identity in every tenant: Graph's uniqueName, which never changes, and the name its
        roles' ids are derived from -- the name it was created under. `name` may change (renamedFrom: says what
        it was); this never does."""
        return self.renamed_from or self.name

    @property
    def owner_locations(self) -> tuple[Location, ...]:
        return _each(self.location and self.location.at(), ("owners",), len(self.owners))  # at the top, not in name

    def in_environment(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments


@dataclass(frozen=True)
class Environment:
    name: str
    emulator: bool = False
    seed: str | None = None
    graph_url: str | None = None
    tenant_id: str | None = None
    credential: str = "default"
    client_id: str | None = None  # the identity apply signs in as
    read_client_id: str | None = None  # the identity plan, drift and show sign in as (default: client_id)
    client_secret_env: str | None = None
    certificate_path: str | None = None
    catalog: str | None = None
    tenant_size: str = "S"  # Graph's throttling budget: S, M, L, or none (no pacing)
    rules: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Configuration:
    root: str
    project: str
    default_environment: str
    environments: dict
    applications: tuple[Application, ...]
    default_catalog: str | None = None
    digest: str = field(default="", compare=False)  # of the files it was read from (a saved plan records it)

    def catalog_for(self, environment: str, package: AccessPackage) -> str:
        """The catalog holding `package` in `environment`: its own, the environment's, the project's, or the
        project's name."""
        return package.catalog or self.environments[environment].catalog or self.default_catalog or self.project

    @property
    def tag(self) -> str:
        """The tag on everything this project manages; nothing without it is ever changed."""
        return f"idamconf:{self.project}"
