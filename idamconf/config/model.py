"""The desired model: what the configuration says the tenant should hold. Immutable values, no I/O."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field

from ..quick_init import quick_init


# Role ids are uuid5(ROLE_NAMESPACE, "<application name>/<role value>"): the same in every tenant, and nobody
# manages GUIDs by hand. Changing this namespace would re-create every role everywhere: never change it.
ROLE_NAMESPACE = uuid.UUID("3d4f6a52-8c1e-4b7a-9f2d-5e6c7b8a9d01")
# Exposed scopes' ids likewise, in a namespace of their own (a scope and a role of one value -- which Graph refuses
# anyway -- would otherwise share an id). Never change it either.
SCOPE_NAMESPACE = uuid.UUID("8ce30a0c-5f6e-4117-b2e7-cdba4bb1bb7b")
# Placeholders in identifier URIs: the application's own id (known once it exists) and the environment's tenant id.
APP_ID, TENANT_ID = "{appId}", "{tenantId}"
# An application's `name` (application.schema.json's pattern, there written for editors; tests/config check the two
# agree): what export makes a name into, and what a package being taken apart may name (plan/left_behind.py).
APPLICATION_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
# An environment's name (project.schema.json's `environments` keys; an application file's `overrides` keys, and
# what `comment --environment` takes: it names files in --plans). tests/config check the schemas agree.
ENVIRONMENT_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


def role_id(application: str, value: str) -> str:
    """str(uuid.uuid5(ROLE_NAMESPACE, "<application>/<value>")), without building UUID objects (10,000 roles)."""
    return _derived_id(_ROLE_BYTES, application, value)


def scope_id(application: str, value: str) -> str:
    """The id of an exposed scope: uuid5(SCOPE_NAMESPACE, "<application>/<value>")."""
    return _derived_id(_SCOPE_BYTES, application, value)


def _derived_id(namespace: bytes, application: str, value: str) -> str:
    text = hashlib.sha1(namespace + f"{application}/{value}".encode()).hexdigest()
    # the version (5) replaces the 13th hex digit; the RFC 4122 variant the two high bits of the 17th
    return f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:32]}"


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


_ROLE_BYTES, _SCOPE_BYTES = ROLE_NAMESPACE.bytes, SCOPE_NAMESPACE.bytes


@quick_init
@dataclass(frozen=True, slots=True)
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


# Who a policy names (approvers, reviewers, requestors), as the model writes them: a user principal name, a group
# ("group:<display name or object id>"), or one of these relative subjects, which Graph resolves per request.
MANAGER, SPONSORS, SELF = "manager", "sponsors", "self"


@quick_init
@dataclass(frozen=True, slots=True)
class AccessReview:
    reviewers: tuple[str, ...]  # UPNs, groups, `manager`, `self` (people review their own access)
    frequency_days: int
    duration_days: int = 14
    unreviewed: str = "remove"  # remove | keep | recommendation
    fallback_reviewers: tuple[str, ...] = ()
    recommendations: bool = True
    justification: bool = True
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Escalation:
    """Who else may approve once a request has waited `after_days` in its stage."""

    after_days: int
    approvers: tuple[str, ...]
    fallback_approvers: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class ApprovalStage:
    """One stage of approval. `path`: where it is written under the package -- () for the one-stage form (its keys
    beside the package's), ("stages", n) for the n-th of `stages`."""

    approvers: tuple[str, ...]
    fallback_approvers: tuple[str, ...] = ()
    justification: bool = True
    auto_deny_days: int = 14
    escalation: Escalation | None = None
    path: tuple = ()


@dataclass(frozen=True, slots=True)
class Question:
    """What a requestor is asked: free text, or a choice among `choices` (value -> shown text)."""

    text: str
    required: bool = False
    choices: tuple[str, ...] = ()  # none: a text answer
    multiple: bool = False  # several choices may be picked
    localized: tuple[tuple[str, str], ...] = ()  # (language code, text)
    single_line: bool = True  # a text answer on one line


@dataclass(frozen=True, slots=True)
class Automatic:
    """Assignment by rule: everyone matching a dynamic-membership `rule` is assigned, without requesting."""

    rule: str
    remove: bool = True  # when someone stops matching, the assignment is removed
    grace_days: int | None = None  # ... this many days later


@quick_init
@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """One way to get a package: who may request it, who approves (in stages: none means no approval), what they
    are asked, how long it lasts, who reviews it. `name`: None for the package's one policy written beside its
    keys (named as the package); `path`: where it is written under the package -- () or ("policies", n)."""

    name: str | None
    stages: tuple[ApprovalStage, ...]
    requestor_justification: bool = True
    requestors: tuple[str, ...] | str | None = None  # None: all member users; "none": administrators assign; else
    # UPNs and "group:<name or object id>"
    assignment_days: int | None = None
    review: AccessReview | None = None
    questions: tuple[Question, ...] = ()
    extension: str = "none"  # none | withApproval | withoutApproval: requestors extending their assignment
    automatic: Automatic | None = None  # assigned by rule: nobody requests, nobody approves
    description: str | None = None
    renamed_from: str | None = None
    path: tuple = ()

    def subjects(self):
        """(subject, path under the package) of everyone the policy names, in the order written."""
        named = [(("requestors",), self.requestors if isinstance(self.requestors, tuple) else ())]
        for stage in self.stages:
            named += [(stage.path + ("approvers",), stage.approvers),
                      (stage.path + ("fallbackApprovers",), stage.fallback_approvers)]
            if stage.escalation is not None:
                named += [(stage.path + ("escalation", "approvers"), stage.escalation.approvers),
                          (stage.path + ("escalation", "fallbackApprovers"), stage.escalation.fallback_approvers)]
        if self.review is not None:
            named += [(("accessReview", "reviewers"), self.review.reviewers),
                      (("accessReview", "fallbackReviewers"), self.review.fallback_reviewers)]
        return [(subject, self.path + path + (index,)) for path, subjects in named
                for index, subject in enumerate(subjects)]

    @property
    def approvers(self) -> tuple[str, ...]:
        """Everyone who approves in some stage (primary approvers), each once, in the order written."""
        return tuple(dict.fromkeys(a for stage in self.stages for a in stage.approvers))


@dataclass(frozen=True, slots=True)
class Grant:
    """One thing a package of its own (`accessPackages:`) grants: an app role of an application of the project
    (`application`: its name, None for the file's own; `role`: its value, or display name for a role without one),
    or membership of a group (`group`: "group:<display name or object id>", as policies name groups). `path`: where
    it is written under the package."""

    role: str | None = None
    application: str | None = None
    group: str | None = None
    path: tuple = ()


@quick_init
@dataclass(frozen=True, slots=True)
class AccessPackage:
    """How people get access: the package, and its policies (one, unless the file writes `policies:`). On a role
    (`appRoles[].accessPackage`) it grants that role; on its own (`accessPackages:`) it grants its `grants`."""

    name: str
    description: str
    catalog: str | None  # None: the environment's catalog
    policies: tuple[AccessPolicy, ...]
    hidden: bool = False  # requestors find it only by its link, not in My Access
    location: Location | None = field(default=None, compare=False)
    grants: tuple[Grant, ...] = ()  # a package of its own: what it grants (none for a package on a role)
    renamed_from: str | None = None  # a package of its own: the name it was created under

    @property
    def approvers(self) -> tuple[str, ...]:
        """The first policy's approvers (every policy's: see `policies`)."""
        return self.policies[0].approvers

    @property
    def review(self) -> AccessReview | None:
        """The first policy's review."""
        return self.policies[0].review

    def subjects(self):
        """(subject, path under the package) of everyone the package's policies name, and the groups it grants
        (resolved, and refused when unknown or ambiguous, as approvers' groups are)."""
        granted = [(grant.group, grant.path + ("group",)) for grant in self.grants if grant.group]
        return [named for policy in self.policies for named in policy.subjects()] + granted

    def at(self, path: tuple) -> Location:
        location = self.location or Location("")
        return location.at(*location.path, *path)


@quick_init
@dataclass(frozen=True, slots=True)
class AppRole:
    id: str
    value: str | None  # None: a role without a value (SAML's User, msiam_access), which names its id
    display_name: str
    description: str | None
    allowed_member_types: tuple[str, ...] = ("User",)
    enabled: bool = True
    access_package: AccessPackage | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """How messages name the role: its value, or its display name when it has none."""
        return self.value or self.display_name


@dataclass(frozen=True, slots=True)
class Scope:
    """A delegated permission the application exposes (api.oauth2PermissionScopes)."""

    id: str
    value: str
    admin_consent_display_name: str
    admin_consent_description: str
    user_consent_display_name: str | None = None
    user_consent_description: str | None = None
    type: str = "Admin"  # Admin: only an administrator may consent; User: users too
    enabled: bool = True
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class PreAuthorized:
    """A client pre-authorised for some of the application's scopes (api.preAuthorizedApplications): its users are
    not asked to consent to them."""

    client: str  # another application of the configuration by name, or an app id
    by_name: bool
    scopes: tuple[str, ...]  # values of the application's scopes
    location: Location | None = field(default=None, compare=False)


@quick_init
@dataclass(frozen=True, slots=True)
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
    scopes: tuple[Scope, ...] = ()  # api.oauth2PermissionScopes
    pre_authorized: tuple[PreAuthorized, ...] = ()  # api.preAuthorizedApplications
    logo: str | None = None  # an image file, relative to the configuration directory
    location: Location | None = field(default=None, compare=False)  # of its name
    renamed_from: str | None = None  # the name it was created under (renamedFrom:), kept by the tenant
    app_id: str | None = None  # an existing application to adopt (plan/adoption.py)
    settings: dict = field(default_factory=dict, compare=False, hash=False)  # the file's surface/ settings
    variants: dict = field(default_factory=dict, compare=False, hash=False)  # environment -> its own model
    access_token_version: int = 1  # api.requestedAccessTokenVersion: 2 by default for personal-account audiences
    api_permissions: tuple = ()  # config/permissions.ApiPermissions: the APIs it calls, by name
    assignments: tuple = ()  # config/assignments.Assignment: app roles granted to groups and users
    service_principal_owners: tuple[str, ...] | None = None  # UPNs; None: the application's owners
    # credentials/: federated credentials (None: the file does not say, left alone) and pinned certificates
    federated_credentials: tuple | None = None
    certificates: tuple = ()
    client_secrets: tuple | None = None  # credentials/client_secrets.ClientSecret, rotated into Key Vault; None: the
    # file does not say (its passwords are left alone)
    saml: object | None = None  # saml/settings.Saml: the file's sso.saml (None: not a SAML application)
    access_packages: tuple[AccessPackage, ...] = ()  # packages of their own (`accessPackages:`)

    @property
    def packages(self) -> tuple[AccessPackage, ...]:
        """Every access package the file declares: on its roles, then its own."""
        return tuple(role.access_package for role in self.app_roles if role.access_package is not None) + \
            self.access_packages

    @property
    def key(self) -> str:
        """The application's identity in every tenant: Graph's uniqueName, which never changes, and the name its
        roles' ids are derived from -- the name it was created under. `name` may change (renamedFrom: says what
        it was); this never does."""
        return self.renamed_from or self.name

    @property
    def owner_locations(self) -> tuple[Location, ...]:
        return _each(self.location and self.location.at(), ("owners",), len(self.owners))  # at the top, not in name

    @property
    def service_principal_owner_locations(self) -> tuple[Location, ...]:
        return _each(self.location and self.location.at(), ("servicePrincipal", "owners"),
                     len(self.service_principal_owners or ()))

    def in_environment(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments

    def for_environment(self, environment: str) -> "Application":
        """The application as it is in `environment`: with that environment's overrides (config/overrides.py)."""
        return self.variants.get(environment, self)


@dataclass(frozen=True, slots=True)
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
    ca_bundle: str | None = None  # a served emulator's CA (https on loopback only): emulator/tls.py
    secret_files: str | None = None  # emulators only: a directory outside the configuration for secrets (vault/)
    # where idamconf.yaml names it: a failure of the local secret files says where to fix it (vault/files.py)
    secret_files_at: Location | None = field(default=None, compare=False)
    catalog: str | None = None
    tenant_size: str = "S"  # Graph's throttling budget: S, M, L, or none (no pacing)
    verified_domains: tuple[str, ...] = ()  # the tenant's, as the configuration declares them
    rules: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class CatalogSettings:
    """A catalog's settings as idamconf.yaml's `catalogs:` declares them (a catalog it does not declare is created
    with idamconf's description, published and not externally visible, and then left as it is)."""

    description: str | None = None  # None: idamconf's own (config/... plan/governance.catalog_description)
    published: bool = True
    externally_visible: bool = False


@dataclass(frozen=True, slots=True)
class Configuration:
    root: str
    project: str
    default_environment: str
    environments: dict
    applications: tuple[Application, ...]
    default_catalog: str | None = None
    catalogs: dict = field(default_factory=dict)  # folded catalog name -> CatalogSettings the project file declares
    digest: str = field(default="", compare=False)  # of the files it was read from (a saved plan records it)
    # some applications left out: a pull request's plan models only those it needs (config/involved.py); whatever
    # needs every application (lint's findings) reads the configuration whole again
    partial: bool = field(default=False, compare=False)

    def catalog_for(self, environment: str, package: AccessPackage) -> str:
        """The catalog holding `package` in `environment`: its own, the environment's, the project's, or the
        project's name."""
        return package.catalog or self.environments[environment].catalog or self.default_catalog or self.project

    @property
    def tag(self) -> str:
        """The tag on everything this project manages; nothing without it is ever changed."""
        return f"idamconf:{self.project}"
