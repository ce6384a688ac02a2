"""The organisation's rules: stable ids, titles, how to fix, default severities. Order is the SARIF rule order."""

from __future__ import annotations

from ..config.access import DEFAULT_RULES
from .model import Rule

RULES: tuple[Rule, ...] = (
    Rule("approvers.two", "TwoApprovers", "An access package has at least two approvers",
         "Nobody should approve access alone. List a second person under accessPackage.approvers (or a policy's, "
         "across its stages; a group, the requestor's manager and sponsors each count as one; a policy with "
         "approval: none is not counted). A warning by default; an error in an environment named live.",
         DEFAULT_RULES["approvers.two"]),
    Rule("reviewers.two", "TwoReviewers", "An access review has at least two reviewers",
         "List a second person under accessPackage.accessReview.reviewers (a group counts as one). A warning by "
         "default; an error in an environment named live.", DEFAULT_RULES["reviewers.two"]),
    Rule("review.frequency", "ReviewFrequency", "Access is reviewed every 30 to 365 days",
         "Set accessReview.frequencyDays from 30 to 365, e.g. 90 (every 3 months) or 365 (every 12 months).",
         DEFAULT_RULES["review.frequency"]),
    Rule("review.approver-is-only-reviewer", "ApproverIsNotOnlyReviewer",
         "Whoever approves access is not also its only reviewer",
         "Add a reviewer who is not an approver, so that access is re-certified by a second person.",
         DEFAULT_RULES["review.approver-is-only-reviewer"]),
    Rule("approval.required", "ApprovalRequired", "Requests for an access package are approved",
         "A policy people request says who approves (two approvers, approvers.two) rather than approval: none, which "
         "grants every request unseen. Policies nobody requests (requestors: none, where administrators assign, and "
         "automatic) are not counted. A warning by default; an error in an environment named live.",
         DEFAULT_RULES["approval.required"]),
    Rule("review.required", "ReviewRequired", "Access granted by an access package is reviewed",
         "Give the policy an accessReview (two reviewers, every 30 to 365 days), so that access nobody needs any more "
         "is found and removed. An automatic policy is not counted: its rule decides who keeps access. A warning by "
         "default; an error in an environment named live.", DEFAULT_RULES["review.required"]),
    Rule("owners.two", "TwoOwners", "An application has at least two owners",
         "List a second owner under owners (user principal names), so that the application is never left without "
         "someone responsible for it.", "warning"),
    Rule("role.description", "RoleDescription", "Every role has a description",
         "Give each app role a description: what it allows, in words people understand when they request it.",
         "warning"),
    Rule("display-name.duplicate", "UniqueDisplayName", "Display names are unique",
         "Give each application, and each role of an application, its own displayName: people choose them by it in "
         "My Apps, on the consent screen and in access packages.", "warning"),
    Rule("package.naming", "PackageNaming",
         "Access package names follow <organisation>-<department>-<application>-<role>s",
         "An access package named in the file starts with the organisation and department codes and uses "
         "lowercase letters, digits and hyphens, so that everyone can tell whose package it is in a shared catalog. "
         "Rename it, or remove name to use the default.", "warning"),
    Rule("security.token-lifetime", "NoTokenLifetime", "No customised token lifetimes",
         "The organisation's guidance forbids customised token lifetimes. Remove the setting: keep Entra's default "
         "lifetimes and use refresh tokens for long sessions.", "error"),
    Rule("security.secret-in-file", "NoSecretInFile", "No secrets in configuration files",
         "Secrets live only in the vault. Remove the value from the file and rotate the secret (it is in the "
         "repository's history); name an environment variable the pipeline fills from the vault instead, as "
         "clientSecretEnv does.", "error"),
    Rule("security.multi-tenant", "SingleTenant", "Only the organisation's accounts can sign in",
         "Use signInAudience: AzureADMyOrg (the default) unless the security team has approved a multi-tenant "
         "application.", "warning"),
    Rule("security.high-privilege-permission", "NoHighPrivilegePermission",
         "No high-privilege application permissions unless the project allows them",
         "Application permissions such as *.ReadWrite.All, Directory.*, RoleManagement.* and AppRoleAssignment.* let "
         "a daemon change the whole directory, or grant itself more, with nobody signed in. Request a narrower "
         "permission, or have the security team allow this one by name in idamconf.yaml "
         "(defaults.allowedPermissions). A warning by default; an error in an environment named live.",
         "warning"),
    Rule("secret.lifetime", "SecretLifetime", "Client secrets expire within two years",
         "Set the secret's lifetimeDays to 730 or less (checked by validate, before any request): idamconf rotates "
         "it into Key Vault with overlap, so a shorter lifetime costs nobody anything. An error by default.",
         DEFAULT_RULES["secret.lifetime"]),
)
BY_ID = {rule.id: rule for rule in RULES}
# The rules on the files' YAML as written (checks.document): the only ones that run while the configuration has
# errors. Named in lint's summary then: "the security rules" read as if security.multi-tenant had run too.
ON_THE_YAML = ("security.token-lifetime", "security.secret-in-file")

# Not one of the organisation's rules (nothing to configure): what `validate` reports, in SARIF and annotations.
CONFIGURATION = Rule("configuration", "ValidConfiguration", "The configuration is valid",
                     "validate's checks: YAML, the schema, names across files, the environments' settings. Each "
                     "result says what is wrong and how to fix it; nothing is planned or applied until they are "
                     "fixed.", "error")
