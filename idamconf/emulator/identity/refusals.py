"""The token endpoint's refusals, as Entra ID gives them: an OAuth 2.0 error (RFC 6749 section 5.2) whose
`error_description` starts with the AADSTS code, with `error_codes`, `timestamp`, `trace_id` and `correlation_id`
beside it (the shape MSAL and azure-identity parse: they show `error_description`).

Codes and wording follow Microsoft's "Microsoft Entra authentication and authorization error codes" reference
(reference-error-codes.md); where a message is shortened or its exact text is not documented it is marked
(inferred). `invalid_client` is answered 401, every other error 400, as Entra does.
"""

from __future__ import annotations

import datetime
import uuid


class TokenRefused(Exception):
    def __init__(self, error: str, code: int, description: str):
        super().__init__(f"AADSTS{code}: {description}")
        self.error, self.code, self.description = error, code, description

    @property
    def status(self) -> int:
        return 401 if self.error == "invalid_client" else 400

    def body(self) -> dict:
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return {"error": self.error,
                "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace} Correlation ID: "
                                     f"{correlation} Timestamp: {now}",
                "error_codes": [self.code], "timestamp": now, "trace_id": trace, "correlation_id": correlation,
                "error_uri": f"https://login.microsoftonline.com/error?code={self.code}"}


def missing(parameter: str) -> TokenRefused:
    return TokenRefused("invalid_request", 900144, f"The request body must contain the following parameter: "
                                                   f"'{parameter}'.")


def tenant_not_found(tenant: str) -> TokenRefused:
    return TokenRefused("invalid_request", 90002, f"Tenant '{tenant}' not found. Check to make sure you have the "
                                                  "correct tenant ID and are signing into the correct cloud.")


def unsupported_grant(grant: str) -> TokenRefused:
    return TokenRefused("unsupported_grant_type", 70003, f"The app requested an unsupported grant type "
                                                         f"'{grant}'. (inferred wording)")


def application_not_found(client_id: str, tenant: str) -> TokenRefused:
    return TokenRefused("unauthorized_client", 700016, f"Application with identifier '{client_id}' was not found "
                                                       f"in the directory '{tenant}'.")


def no_credential() -> TokenRefused:
    return TokenRefused("invalid_client", 7000218, "The request body must contain the following parameter: "
                                                   "'client_assertion' or 'client_secret'.")


def invalid_secret(client_id: str) -> TokenRefused:
    return TokenRefused("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent "
                                                   "in the request is the client secret value, not the client "
                                                   f"secret ID, for a secret added to app '{client_id}'.")


def expired_secret(client_id: str) -> TokenRefused:
    return TokenRefused("invalid_client", 7000222, f"The provided client secret keys for app '{client_id}' are "
                                                   "expired.")


def bad_assertion(detail: str) -> TokenRefused:
    return TokenRefused("invalid_client", 700027, f"Client assertion failed signature validation. {detail}")


def assertion_time(detail: str) -> TokenRefused:
    return TokenRefused("invalid_client", 700024, f"Client assertion is not within its valid time range. {detail}")


def no_federated_match(which: str, issuer: str, subject: str, audience: str) -> TokenRefused:
    codes = {"issuer": 700211, "audience": 700212, "subject": 700213}
    return TokenRefused("invalid_request", codes[which], f"No matching federated identity record found for presented "
                                                         f"assertion {which}. Assertion Issuer: '{issuer}'. Assertion "
                                                         f"Subject: '{subject}'. Assertion Audience: '{audience}'.")


def bad_scope(scope: str) -> TokenRefused:
    return TokenRefused("invalid_scope", 1002012, f"The provided value for scope {scope} is not valid. Client "
                                                  "credential flows must have a scope value with /.default suffixed "
                                                  "to the resource identifier (application ID URI).")


def resource_not_found(resource: str, tenant: str) -> TokenRefused:
    return TokenRefused("invalid_resource", 500011, f"The resource principal named {resource} was not found in the "
                                                    f"tenant named {tenant}. This can happen if the application has "
                                                    "not been installed by the administrator of the tenant.")


def user_not_found(user: str, tenant: str) -> TokenRefused:
    return TokenRefused("invalid_grant", 50034, f"The user account {user} does not exist in the {tenant} directory.")


def application_disabled(application: dict) -> TokenRefused:
    """UnauthorizedClientApplicationDisabled: its service principal's accountEnabled is false."""
    return TokenRefused("unauthorized_client", 7000112, f"Application '{application['appId']}'"
                                                        f"({application.get('displayName')}) is disabled. "
                                                        "(inferred wording)")


def resource_disabled(resource: str) -> TokenRefused:
    return TokenRefused("invalid_resource", 500014, f"The service principal for resource '{resource}' is disabled. "
                                                    "The administrator for this tenant has disabled the application, "
                                                    "preventing tokens from being issued for it. (inferred error)")


def client_not_assigned(client_id: str, resource: str) -> TokenRefused:
    """scenario-protected-web-api-app-registration.md: `invalid_client: AADSTS501051`."""
    return TokenRefused("invalid_client", 501051, f"Application '{client_id}' is not assigned to a role for the "
                                                  f"application '{resource}'.")


NOT_ASSIGNED = 50105  # a user holds none of the roles of an application that requires assignment


def user_not_assigned(user: str, application: dict) -> TokenRefused:
    """EntitlementGrantsNotFound, with assignment required on the application's service principal."""
    return TokenRefused("invalid_grant", NOT_ASSIGNED, f"Your administrator has configured the application "
                                                f"{application.get('displayName')} ('{application['appId']}') to "
                                                f"block users unless they are specifically granted ('assigned') "
                                                f"access to the application. The signed in user '{user}' is not "
                                                "assigned to a role for the application. (inferred wording)")
