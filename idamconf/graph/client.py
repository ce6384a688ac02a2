"""The one seam to Microsoft Graph.

Every request goes through msgraph-sdk's `GraphRequestAdapter`, so authentication (azure-identity) and
msgraph-core's middleware (retries with Retry-After, redirects, telemetry) apply, but responses come back as
JSON through kiota's `ResponseHandlerOption` rather than as typed models: see ../shared/docs/graph-notes.md, the
typed models cost ~9 ms an object. HTTP statuses never raise here; callers read `Response.ok` and `.error`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.response_handler import ResponseHandler
from kiota_http.middleware.options import ResponseHandlerOption

from .origin import origin_of, own_prefix, refuse_foreign
from .ownership import NotOurs

BATCH_LIMIT = 20
RETRYABLE = {429, 503, 504}
IDEMPOTENT = {"GET", "PUT", "PATCH", "DELETE"}
TIME_BOUND = "not sent: the time bound (--timeout) was reached"


class GraphUnavailable(Exception):
    """Graph could not be reached or answered nothing usable (connection refused, dropped, timed out)."""


def _untrusted(error: BaseException) -> bool:
    """Whether a connection failed because the server's certificate is not trusted (somewhere in its causes)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(error):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class Unrecoverable(Exception):
    """A failure no retry can mend (signing in failed: graph/connect.SignInFailed): every call waiting on it fails
    with it at once, rather than after a dozen attempts' backoff."""


class NotWritten(GraphUnavailable):
    """A write refused before it was sent: it would touch an object that is not the project's (graph/ownership.py).
    Handled as a request that could not be made: its step fails, nothing is sent."""


class ResponseLost(GraphUnavailable):
    """The request was sent but its answer never came (a dropped connection): it may or may not have been done."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. `settle`: how long a write waits for an object Graph created moments ago to be visible
    (Entra replicates in seconds); `lookup`: how long a look-up after a lost create keeps asking before the create
    is sent again; `linger`: how long a call waits for others to share its `$batch`."""

    attempts: int = 12  # 17% of tries failing (the reliability runs): 12 in a row 1 in 10^9; 8 was 1 in 10^6
    base_delay: float = 0.5
    max_delay: float = 60.0  # the longest Retry-After honoured as given
    settle: float = 30.0
    lookup: float = 10.0
    # 10 ms, not 2: an apply's chains (create, then roles, then the service principal, ...) answer a $batch's
    # callers at about the same time, and their next calls come within a few milliseconds of each other. Waiting
    # 10 ms fills the $batches: 1,000 applications took ~840 round trips instead of ~980 (benchmarks/writes.py,
    # 3 runs each), in no more time; against Graph's own latency (tens of milliseconds a round trip) it is small.
    linger: float = 0.010

    def backoff(self, attempt: int) -> float:
        """After a failure that says nothing of when to try again: 0.5 s, 1 s, 2 s ... at most 8 s."""
        return min(self.base_delay * 2 ** (attempt - 1), 8.0)

    def poll(self, attempt: int) -> float:
        """Between looks at something replication will show within seconds: 0.25 s, 0.5 s, then every second."""
        return min(0.25 * 2 ** (attempt - 1), 1.0)


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


_READ = httpx.ByteStream(b"")  # the stream of a response already read


class _RawJson(ResponseHandler):
    async def handle_response_async(self, response: httpx.Response, error_map) -> Response:
        content = response.content
        # httpx's response and its stream refer to each other (httpx._client.BoundAsyncStream), so a response -- a
        # page of up to ~1 MB -- is freed only when the cycle collector next runs: at 10,000 applications, tens of
        # pages at once. It has been read and closed by now (kiota sends without streaming); unbinding its stream
        # lets it go as soon as this handler is done with it.
        response.stream = _READ
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = {"error": {"code": "InvalidResponse", "message": content[:200].decode("utf-8", "replace")}}
        return Response(response.status_code, body, dict(response.headers))


PAGES_IN_FLIGHT = 32


def query(path: str, **params: str) -> str:
    """`query("applications", select="id,appId")` -> "applications?$select=id,appId" with values escaped."""
    pairs = [f"${name}={quote(str(value), safe=',()/:=$')}" for name, value in params.items() if value is not None]
    return path + ("?" + "&".join(pairs) if pairs else "")


class GraphClient:
    """Graph through the SDK's adapter, with every reliability and throughput rule in one place.

    `send` is one HTTP request (list pages, the `$batch` envelope). `call` is one logical request: calls made at about
    the same time -- by many applications' chains at once -- are coalesced into `$batch`es of 20 (at most
    `concurrency` in flight, paced by `budget`), and each call is retried as Graph needs (see `call`).
    """

    def __init__(self, adapter, base_url: str, concurrency: int = 4, policy: RetryPolicy | None = None,
                 budget=None, deadline: float | None = None):
        self.adapter = adapter
        self.base_url = base_url.rstrip("/")
        self._origin, self._own = origin_of(httpx.URL(self.base_url)), own_prefix(self.base_url)  # (graph/origin)
        self.requests = 0  # HTTP round trips
        self.policy = policy or RetryPolicy()
        self.budget = budget
        self.deadline = deadline  # time.monotonic() after which nothing is retried any more
        self.bound = TIME_BOUND  # why nothing more is sent after it
        self.ownership = None  # graph/ownership.Ownership: set by apply, consulted before every write
        self._slots = asyncio.Semaphore(concurrency)
        # List pages (a GET sent on its own) have slots of their own: a long list is read as several streams
        # (graph/streams.py), whose pages would otherwise wait for each other's round trips. Graph bounds reads by
        # resource units (`budget`), not by requests in flight.
        self._pages = asyncio.Semaphore(PAGES_IN_FLIGHT)
        self._queue: list[tuple[BatchRequest, asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task] = set()

    async def send(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> Response:
        self._check_bound()
        if self.budget is not None:
            await self.budget.spend([BatchRequest(method, path)])
            self._check_bound()  # stopped while waiting for the budget: not sent either
        absolute = path.startswith("http")  # a full URL from an answer (@odata.nextLink)
        url = path if absolute else f"{self.base_url}/{path.lstrip('/')}"
        if absolute and not (self._own is not None and url.startswith(self._own)):
            refuse_foreign(url, self._origin)  # only to the target's own origin, before a token is asked for
        info = RequestInformation(Method[method], None)
        info.url = url
        for name, value in (headers or {}).items():
            info.headers.try_add(name, value)
        if isinstance(body, bytes):  # an image (a logo): its Content-Type is in `headers`
            info.content = body
        elif body is not None:
            info.headers.try_add("Content-Type", "application/json")
            info.content = json.dumps(body).encode()
        info.add_request_options([ResponseHandlerOption(_RawJson())])
        async with self._pages if method == "GET" else self._slots:
            self.requests += 1
            try:
                return await self.adapter.send_primitive_async(info, "bytes", None)
            except httpx.HTTPError as error:
                if _untrusted(error):  # retrying cannot help: said at once, never retried for a minute
                    raise Unrecoverable(f"the TLS certificate of {httpx.URL(url).host} is not trusted "
                                        f"({type(error).__name__}: {error}). Fix: for an emulator served with --tls, "
                                        "set the environment's caBundle to the ca.pem it printed; for Microsoft "
                                        "Graph, check this machine's trust store (or its TLS-inspecting proxy's CA "
                                        "in SSL_CERT_FILE).") from None
                lost = not isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
                kind = ResponseLost if lost else GraphUnavailable
                raise kind(f"{method} {_shown(url)}: {type(error).__name__}: {error}") from None

    def _check_bound(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise GraphUnavailable(self.bound)

    def stop(self, reason: str) -> None:
        """Send nothing more from now on (what is in flight finishes); each request not sent fails with `reason`."""
        self.deadline, self.bound = time.monotonic() - 1.0, reason

    async def get(self, path: str) -> Response:
        """A GET sent on its own (a list page: large, and `@odata.nextLink` is a full URL), retried as `call` does."""
        return await self.call("GET", path, settle=False, direct=True)

    async def get_all(self, path: str, keep=None) -> list[dict]:
        """Every object of a list, following `@odata.nextLink` until it is absent. `keep(object)`: what to hold of
        each object, applied as each page arrives (the page itself is then let go) -- while the next page is being
        asked for: a list's pages follow each other, so time spent between two of them would delay the rest."""
        objects: list[dict] = []
        asking = asyncio.ensure_future(self.get(path))
        try:
            while asking is not None:
                response = await asking
                if not response.ok:
                    raise GraphRequestFailed(f"GET {path}", response.error)
                next_url = response.body.get("@odata.nextLink")
                asking = asyncio.ensure_future(self.get(next_url)) if next_url else None
                if asking is not None and keep is not None:
                    await asyncio.sleep(0)  # the next request on its way before this page is worked through
                page = response.body.get("value", [])
                objects.extend(map(keep, page) if keep else page)
        finally:
            if asking is not None and not asking.done():
                asking.cancel()
            elif asking is not None and not asking.cancelled():
                asking.exception()  # a page that failed after this one did: its error goes with this one's
        return objects

    async def batch(self, requests: list[BatchRequest]) -> list[Response]:
        """Any number of requests, answered in the order asked (coalesced into `$batch`es by `call`)."""
        return list(await asyncio.gather(*(self.call(r.method, r.url, r.body, r.headers, settle=False)
                                           for r in requests)))

    async def call(self, method: str, path: str, body: Any = None, headers: dict | None = None, **rules) -> Response:
        """One logical request (see `_call`); with `ownership` set (apply), a write is sent only if it touches the
        project's objects alone -- else `NotWritten` is raised and nothing is sent -- and what a write creates, or a
        read by key finds to be the project's, becomes the project's for the writes that follow."""
        if self.ownership is not None and method != "GET":
            try:
                self.ownership.check(method, path, body)
            except NotOurs as refusal:
                raise NotWritten(str(refusal)) from None
        response = await self._call(method, path, body, headers, **rules)
        if response.status == 403:
            response = _missing_permission_named(method, path, response)
        if self.ownership is not None:
            self.ownership.observe(method, path, body, response)
        return response

    async def _call(self, method: str, path: str, body: Any = None, headers: dict | None = None, *,
                    repeatable: bool = False, find=None, settle: bool | None = None, direct: bool = False) -> Response:
        """One request, sent inside a `$batch` with others, made to survive what Graph does to requests:

        - 429 (throttled, per item inside a 200 batch), 503: sent again after Retry-After;
        - the answer lost (a dropped connection, a 504): requests safe to repeat -- GET, PUT, PATCH, DELETE, and a
          POST marked `repeatable` because a repeat is refused in a way the caller recognises -- are sent again.
          Any other POST is a create: `find` (a look-up by stable name, returning the object's Response or None)
          is tried, repeatedly while replication may still hide the object, and the create is sent again only when
          nothing is found; without `find`, the loss is reported;
        - `settle` (writes by default): "not found" right after a create is Graph's replication lag; the request is
          sent again with backoff for up to `policy.settle` seconds, then its answer is returned as it is.

        `direct`: sent as a request of its own rather than inside a `$batch`.
        """
        request = BatchRequest(method, path, body, headers or {})
        settle = method != "GET" if settle is None else settle
        safe = method in IDEMPOTENT or repeatable
        started = time.monotonic()
        failures = polls = 0  # Graph failing, and replication not there yet: bounded separately
        while True:
            try:
                response = await (self.send(method, path, body, headers) if direct else self._batched(request))
            except GraphUnavailable as error:
                failures += 1
                if isinstance(error, ResponseLost) and not safe:
                    if find is None:
                        raise
                    found = await self._look_up(find)
                    if found is not None:
                        return found
                if failures >= self.policy.attempts:
                    raise GraphUnavailable(f"{error} (gave up after {failures} attempts)") from None
                await self.pause(self.policy.backoff(failures))
                continue
            if response.status in RETRYABLE and failures + 1 < self.policy.attempts:
                failures += 1
                if response.status == 504 and not safe:  # a gateway timeout: the create may have happened
                    if find is None:
                        return response
                    found = await self._look_up(find)
                    if found is not None:
                        return found
                await self.pause(_retry_after(response, failures, self.policy))
                continue
            if settle and not_yet_visible(response) and time.monotonic() - started < self.policy.settle:
                polls += 1
                await self.pause(self.policy.poll(polls))
                continue
            return response

    async def _look_up(self, find) -> Response | None:
        """After a lost create: is the object there? Asked again while replication may still hide it."""
        started, attempt = time.monotonic(), 0
        while True:
            attempt += 1
            found = await find()
            if found is not None or time.monotonic() - started >= self.policy.lookup:
                return found
            await self.pause(self.policy.poll(attempt))

    async def pause(self, seconds: float) -> None:
        """Wait before trying again -- unless that would pass the time bound."""
        if self.deadline is not None and time.monotonic() + seconds > self.deadline:
            raise GraphUnavailable(self.bound)
        await asyncio.sleep(seconds)

    # ------------------------------------------------------------------------------------------- coalescing
    def _batched(self, request: BatchRequest) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((request, future))
        if len(self._queue) >= BATCH_LIMIT:
            self._start(self._take())
        elif self._timer is None:
            self._timer = loop.call_later(self.policy.linger, self._flush)
        return future

    def _take(self) -> list:
        taken, self._queue = self._queue[:BATCH_LIMIT], self._queue[BATCH_LIMIT:]
        return taken

    def _flush(self) -> None:
        self._timer = None
        while self._queue:
            self._start(self._take())

    def _start(self, items: list) -> None:
        task = asyncio.get_running_loop().create_task(self._run_batch(items))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_batch(self, items: list) -> None:
        requests = [request for request, _ in items]
        try:
            if self.budget is not None:
                await self.budget.spend(requests)
            responses = await self._send_batch(requests)
        except Exception as error:  # noqa: BLE001 - every waiting call learns what happened to its request
            for _, future in items:
                if not future.done():
                    future.set_exception(error if isinstance(error, (GraphUnavailable, Unrecoverable)) else
                                         GraphUnavailable(f"$batch: {type(error).__name__}: {error}"))
            return
        for (_, future), response in zip(items, responses):
            if not future.done():
                future.set_result(response)

    async def _send_batch(self, requests: list[BatchRequest]) -> list[Response]:
        items = []
        for number, request in enumerate(requests):
            item = {"id": str(number), "method": request.method, "url": "/" + request.url.lstrip("/")}
            headers = dict(request.headers)
            if isinstance(request.body, bytes):  # json-batching.md: a body that is not JSON goes as base64 text
                item["body"] = base64.b64encode(request.body).decode("ascii")
            elif request.body is not None:
                item["body"] = request.body
                headers.setdefault("Content-Type", "application/json")
            if headers:
                item["headers"] = headers
            items.append(item)
        response = await self.send("POST", "$batch", {"requests": items})
        if response.status in RETRYABLE:  # the envelope itself was refused: no item ran
            return [response] * len(requests)
        if not response.ok:
            raise GraphRequestFailed("POST $batch", response.error)
        by_id = {item["id"]: item for item in response.body.get("responses", [])}
        return [_item_response(by_id.get(str(number))) for number in range(len(requests))]


class GraphRequestFailed(Exception):
    def __init__(self, what: str, failure: GraphFailure):
        super().__init__(f"{what}: {failure}")
        self.failure = failure


# Graph's words when the caller lacks a permission; they name none, so idamconf adds the one the request needs.
DENIED = "Insufficient privileges to complete the operation."


def _missing_permission_named(method: str, path: str, response: Response) -> Response:
    """A 403 for want of a permission, its message naming what the request needs (graph/permissions: the table the
    emulator enforces), so that the one line reporting it says what to grant."""
    error = response.body.get("error") if isinstance(response.body, dict) else None
    if not isinstance(error, dict) or error.get("message") != DENIED:
        return response
    from .permissions import describe, needs

    named = (f"{DENIED} The identity idamconf signs in as needs {describe(needs(method, path))}: grant it that "
             "application permission with an administrator's consent (README: Targeting a real tenant).")
    return Response(response.status, {**response.body, "error": {**error, "message": named}}, response.headers)


def _item_response(item: dict | None) -> Response:
    if item is None:
        return Response(500, {"error": {"code": "MissingBatchResponse", "message": "no answer for this item"}})
    return Response(int(item.get("status", 500)), item.get("body"), item.get("headers") or {})


def _retry_after(response: Response, attempt: int, policy: RetryPolicy) -> float:
    headers = {name.lower(): value for name, value in response.headers.items()}
    try:
        return min(max(float(headers["retry-after"]), 0.0), policy.max_delay)
    except (KeyError, ValueError):
        return policy.backoff(attempt)


# Graph's own words for an object it does not see (yet): Request_ResourceNotFound's "Resource '…' does not exist or
# one of its queried reference-property objects are not present." (any 404 counts anyway), and a service principal
# for an application not replicated yet, "… does not reference a valid application object"
# (NoBackingApplicationObject; graph-notes.md). Only texts Graph really sends: entitlement management's answers are
# undocumented, and what they mean is decided by reading state (apply_recovery.py), never by the emulator's wording.
_LAG = re.compile(r"does not exist or one of its queried reference-property objects are not present|"
                  r"does not reference a valid application object")


def not_yet_visible(response: Response) -> bool:
    """What Graph answers about an object it has created but not yet replicated everywhere (or one that is gone:
    the bounded wait tells them apart)."""
    return response.status == 404 or (response.status == 400 and bool(_LAG.search(response.error.message)))


def _shown(url: str) -> str:
    return url.split("?", 1)[0]
