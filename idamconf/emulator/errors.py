"""Graph's error shape, raised anywhere in the emulator and rendered once by the dispatcher."""

from __future__ import annotations

import datetime as _dt


class GraphError(Exception):
    """An error Graph would answer with: HTTP status, Graph error code and message."""

    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self, request_id: str, client_request_id: str) -> dict:
        return error_body(self.code, self.message, request_id, client_request_id, self.details)


def error_body(code: str, message: str, request_id: str, client_request_id: str, details: list | None = None) -> dict:
    date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    inner = {"date": date, "request-id": request_id, "client-request-id": client_request_id}
    error = {"code": code, "message": message}
    if details:
        error["details"] = details
    error["innerError"] = inner
    return {"error": error}


def not_found(ref: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{ref}' does not exist or one of its queried reference-property objects are not present.",
    )


def bad_request(message: str, code: str = "Request_BadRequest") -> GraphError:
    return GraphError(400, code, message)


def invalid(name: str, resource: str = "Application") -> GraphError:
    """Graph's general answer for a property's bad value (reported for `web`, msgraph-sdk-powershell 3149, and for a
    scope's `type`, microsoft-graph-docs-contrib 4750)."""
    return bad_request(f"Invalid value specified for property '{name}' of resource '{resource}'.")


def method_not_allowed() -> GraphError:
    return GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")


def unsupported_query(message: str) -> GraphError:
    return GraphError(400, "Request_UnsupportedQuery", message)
