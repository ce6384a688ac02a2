"""The one seam to Microsoft Graph.

Every request goes through msgraph-sdk's `GraphRequestAdapter`, so authentication (azure-identity) and
msgraph-core's middleware (retries with Retry-After, redirects, telemetry) apply, but responses come back as
JSON through kiota's `ResponseHandlerOption` rather than as typed models: see ../shared/docs/graph-notes.md, the
typed models cost ~9 ms an object. HTTP statuses never raise here; callers read `Response.ok` and `.error`.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.response_handler import ResponseHandler
from kiota_http.middleware.options import ResponseHandlerOption

BATCH_LIMIT = 20
RETRYABLE = {429, 503, 504}


class GraphUnavailable(Exception):
    """Graph could not be reached or answered nothing usable (connection refused, dropped, timed out)."""


@dataclass(frozen=True)
class GraphFailure:
    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


@dataclass(frozen=True)
class Response:
    status: int
    body: Any = None
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> GraphFailure:
        error = (self.body or {}).get("error", {}) if isinstance(self.body, dict) else {}
        return GraphFailure(self.status, error.get("code", "UnknownError"), error.get("message", "no message"))


@dataclass(frozen=True)
class BatchRequest:
    method: str
    url: str  # relative to the version root, e.g. "/applications?$select=id"
    body: Any = None
    headers: dict = field(default_factory=dict)


class _RawJson(ResponseHandler):
    async def handle_response_async(self, response: httpx.Response, error_map) -> Response:
        content = response.content
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = {"error": {"code": "InvalidResponse", "message": content[:200].decode("utf-8", "replace")}}
        return Response(response.status_code, body, dict(response.headers))


def query(path: str, **params: str) -> str:
    """`query("applications", select="id,appId")` -> "applications?$select=id,appId" with values escaped."""
    pairs = [f"${name}={quote(str(value), safe=',()/:=$')}" for name, value in params.items() if value is not None]
    return path + ("?" + "&".join(pairs) if pairs else "")


class GraphClient:
    def __init__(self, adapter, base_url: str, concurrency: int = 4, batch_attempts: int = 5):
        self.adapter = adapter
        self.base_url = base_url.rstrip("/")
        self.requests = 0
        self._slots = asyncio.Semaphore(concurrency)
        self._batch_attempts = batch_attempts

    async def send(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> Response:
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        info = RequestInformation(Method[method], None)
        info.url = url
        for name, value in (headers or {}).items():
            info.headers.try_add(name, value)
        if body is not None:
            info.headers.try_add("Content-Type", "application/json")
            info.content = json.dumps(body).encode()
        info.add_request_options([ResponseHandlerOption(_RawJson())])
        async with self._slots:
            self.requests += 1
            try:
                return await self.adapter.send_primitive_async(info, "bytes", None)
            except httpx.HTTPError as error:
                raise GraphUnavailable(f"{method} {url}: {type(error).__name__}: {error}") from None

    async def get_all(self, path: str) -> list[dict]:
        """Every object of a list, following `@odata.nextLink` until it is absent."""
        objects: list[dict] = []
        next_url: str | None = path
        while next_url:
            response = await self.send("GET", next_url)
            if not response.ok:
                raise GraphRequestFailed(f"GET {path}", response.error)
            objects.extend(response.body.get("value", []))
            next_url = response.body.get("@odata.nextLink")
        return objects

    async def batch(self, requests: list[BatchRequest]) -> list[Response]:
        """Any number of requests as `$batch`es of 20 sent concurrently; answers in the order asked.

        Items Graph throttled (429) or could not serve (503/504, for methods safe to repeat) are sent again after
        the longest Retry-After, inside the following batch: the SDK's retry handler does not see them.
        """
        answers: list[Response | None] = [None] * len(requests)
        pending = list(range(len(requests)))
        for attempt in range(self._batch_attempts):
            chunks = [pending[i:i + BATCH_LIMIT] for i in range(0, len(pending), BATCH_LIMIT)]
            results = await asyncio.gather(*(self._send_batch([requests[i] for i in c]) for c in chunks))
            pending, delay = [], 0.0
            for chunk, responses in zip(chunks, results):
                for index, response in zip(chunk, responses):
                    answers[index] = response
                    if _retryable(requests[index], response) and attempt + 1 < self._batch_attempts:
                        pending.append(index)
                        delay = max(delay, _retry_after(response, attempt))
            if not pending:
                break
            await asyncio.sleep(delay)
        return answers  # type: ignore[return-value]

    async def _send_batch(self, requests: list[BatchRequest]) -> list[Response]:
        items = []
        for number, request in enumerate(requests):
            item = {"id": str(number), "method": request.method, "url": "/" + request.url.lstrip("/")}
            headers = dict(request.headers)
            if request.body is not None:
                item["body"] = request.body
                headers.setdefault("Content-Type", "application/json")
            if headers:
                item["headers"] = headers
            items.append(item)
        response = await self.send("POST", "$batch", {"requests": items})
        if not response.ok:
            raise GraphRequestFailed("POST $batch", response.error)
        by_id = {item["id"]: item for item in response.body.get("responses", [])}
        return [_item_response(by_id.get(str(number))) for number in range(len(requests))]


class GraphRequestFailed(Exception):
    def __init__(self, what: str, failure: GraphFailure):
        super().__init__(f"{what}: {failure}")
        self.failure = failure


def _item_response(item: dict | None) -> Response:
    if item is None:
        return Response(500, {"error": {"code": "MissingBatchResponse", "message": "no answer for this item"}})
    return Response(int(item.get("status", 500)), item.get("body"), item.get("headers") or {})


def _retryable(request: BatchRequest, response: Response) -> bool:
    if response.status == 429:
        return True
    return response.status in RETRYABLE and request.method in {"GET", "PUT", "DELETE", "PATCH"}


def _retry_after(response: Response, attempt: int) -> float:
    headers = {name.lower(): value for name, value in response.headers.items()}
    try:
        return min(float(headers["retry-after"]), 60.0)
    except (KeyError, ValueError):
        return min(2.0 ** attempt, 30.0)
