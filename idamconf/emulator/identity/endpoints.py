"""The identity provider's HTTP edge: Starlette routes beside `/v1.0`, answered in Entra's shapes."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..store import Store
from . import keys, refusals, service

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 5.1: a token response is never cached


def routes(store: Store) -> list[Route]:
    async def discovery(http: Request) -> JSONResponse:
        return _answer(lambda: service.discovery(store, _origin(http), http.path_params["tenant"]))

    async def discovery_v1(http: Request) -> JSONResponse:
        return _answer(lambda: service.discovery(store, _origin(http), http.path_params["tenant"], "1.0"))

    async def jwks(http: Request) -> JSONResponse:
        return _answer(lambda: keys.jwks(store) if service.tenant_id(store, http.path_params["tenant"]) else None)

    async def token(http: Request) -> JSONResponse:
        form = await _form(http)
        if isinstance(form, refusals.TokenRefused):
            return _refused(form)
        return _answer(lambda: service.token(store, _origin(http), http.path_params["tenant"], form), NO_STORE)

    return [Route("/{tenant}/v2.0/.well-known/openid-configuration", discovery, methods=["GET"]),
            Route("/{tenant}/.well-known/openid-configuration", discovery_v1, methods=["GET"]),
            Route("/{tenant}/discovery/v2.0/keys", jwks, methods=["GET"]),
            Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"])]


def _answer(make, headers: dict | None = None) -> JSONResponse:
    try:
        return JSONResponse(make(), headers=headers)
    except refusals.TokenRefused as refused:
        return _refused(refused)


def _refused(refused: refusals.TokenRefused) -> JSONResponse:
    return JSONResponse(refused.body(), status_code=refused.status, headers=NO_STORE)


async def _form(http: Request) -> dict | refusals.TokenRefused:
    """The token request's form (RFC 6749 requires this media type); a repeated parameter is refused, as Entra
    refuses it (inferred wording)."""
    if http.headers.get("content-type", "").split(";", 1)[0].strip().lower() != FORM:
        return refusals.TokenRefused("invalid_request", 900144, "The request body must contain the following "
                                                                "parameter: 'grant_type'.")
    pairs = parse_qsl((await http.body()).decode("utf-8", "replace"), keep_blank_values=True)
    form = dict(pairs)
    if len(form) != len(pairs):
        return refusals.TokenRefused("invalid_request", 90015, "Requested query string is too long or contains a "
                                                               "repeated parameter. (inferred wording)")
    return form


def _origin(http: Request) -> str:
    return f"{http.url.scheme}://{http.url.netloc}"
