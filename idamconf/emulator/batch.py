"""JSON batching: `POST /$batch` with up to 20 requests, `dependsOn` (fully sequential -- a chain, or all on the
first -- or not at all), and 424 for dependants of a failure."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import GraphError, bad_request, error_body
from .protocol import Binary, RawJson, Reply, Request, is_json

MAX_REQUESTS = 20


async def run_batch(request: Request, handle) -> Reply:
    items = _items(request.body)
    statuses: dict[str, int] = {}
    responses = []
    for item in items:
        failed = [dep for dep in item.get("dependsOn", []) if statuses.get(dep.casefold(), 424) >= 400]
        if failed:
            reply = _failed_dependency(request, failed)
        else:
            reply = await handle(_sub_request(request, item))
        statuses[item["id"].casefold()] = reply.status
        responses.append(_response(item["id"], reply))
    return Reply(200, {"responses": responses})


def _items(body: object) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise bad_request("Invalid batch payload: expected an object with a 'requests' array.")
    items = body["requests"]
    if len(items) > MAX_REQUESTS:
        raise bad_request(f"Invalid batch payload format: the number of requests exceeds the limit of {MAX_REQUESTS}.")
    ids: set[str] = set()  # json-batching.md: an id is "Not case-sensitive. Must be unique in the batch"
    for item in items:
        _check_item(item, ids)
        ids.add(item["id"].casefold())
    _check_sequencing(items)
    return items


def _check_sequencing(items: list[dict]) -> None:
    """json-batching.md: a batch "should be either fully sequential or fully parallel". Graph answers 400 "Batch
    should be either fully sequential or fully parallel" to one where some requests after the first name a
    `dependsOn` and others do not (microsoft-graph-docs-contrib issue 2339, on the doc's earlier example; the
    error's code is inferred). Graph's known issues ("JSON batching: Request dependencies are limited") say more: a
    request depends on a single other request, and a sequenced batch is serial (each request depends on the one
    before it) or "same" (each names the same request: here, the first, since a request depends only on earlier
    ones). Any other tree -- a request naming two, two branches -- is refused as the mixed batch is (inferred)."""
    sequenced = [item.get("dependsOn") or [] for item in items[1:]]
    if not any(sequenced):
        return
    named = [depends[0].casefold() if len(depends) == 1 else None for depends in sequenced]
    serial = [item["id"].casefold() for item in items[:-1]]
    if named != serial and named != [items[0]["id"].casefold()] * len(named):
        raise bad_request("Invalid batch payload: batch should be either fully sequential or fully parallel: when "
                          "one request has a 'dependsOn', every request after the first names one request in it, "
                          "the one before it in each or the first in each.")


def _check_item(item: object, earlier: set[str]) -> None:
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "method", "url")):
        raise bad_request("Invalid batch payload: every request needs string 'id', 'method' and 'url'.")
    if item["id"].casefold() in earlier:
        raise bad_request(f"Invalid batch payload: request id '{item['id']}' is used more than once.")
    depends = item.get("dependsOn", [])
    if not isinstance(depends, list) or any(not isinstance(dep, str) or dep.casefold() not in earlier
                                            for dep in depends):
        raise bad_request(f"Invalid batch payload: request '{item['id']}' depends on a request not before it.")
    if item.get("body") is not None and not _content_type(item):
        raise bad_request(f"Invalid batch payload: request '{item['id']}' has a body but no Content-Type header.")
    _body(item)  # a body that is not JSON must be base64 text: the whole batch is refused otherwise


def _content_type(item: dict) -> str:
    headers = {name.lower(): value for name, value in (item.get("headers") or {}).items()}
    return str(headers.get("content-type", ""))


def _body(item: dict):
    """An item's body: JSON as sent, or the bytes a base64 text stands for when its Content-Type is not JSON
    (standard or URL-safe alphabet, padded or not)."""
    body, content_type = item.get("body"), _content_type(item)
    if body is None or is_json(content_type):
        return body
    try:
        if not isinstance(body, str):
            raise ValueError
        text = body.strip().replace("-", "+").replace("_", "/")
        content = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (ValueError, binascii.Error):
        raise bad_request(f"Invalid batch payload: request '{item['id']}' has a {content_type} body that is not "
                          "base64 text.") from None
    return Binary(content, content_type.split(";", 1)[0].strip().lower())


def _sub_request(outer: Request, item: dict) -> Request:
    url = urlsplit(item["url"])
    path = unquote(url.path).lstrip("/")  # as a server decodes a request's path
    if path.startswith("v1.0/"):
        path = path[len("v1.0/"):]
    headers = {name.lower(): str(value) for name, value in (item.get("headers") or {}).items()}
    headers.setdefault("authorization", outer.headers.get("authorization", ""))
    return Request(item["method"].upper(), path, dict(parse_qsl(url.query, keep_blank_values=True)),
                   headers, _body(item), outer.base)


def _failed_dependency(request: Request, failed: list[str]) -> Reply:
    error = GraphError(424, "FailedDependency", f"The request depends on failed request(s): {', '.join(failed)}.")
    body = error_body(error.code, error.message, "", request.headers.get("client-request-id", ""))
    return Reply(424, body)


def _response(item_id: str, reply: Reply) -> dict:
    headers = dict(reply.headers)
    if isinstance(reply.body, Binary):
        headers["Content-Type"] = reply.body.content_type
    elif reply.body is not None:
        headers.setdefault("Content-Type", "application/json")
    response = {"id": item_id, "status": reply.status, "headers": headers}
    if isinstance(reply.body, Binary):
        response["body"] = base64.b64encode(reply.body.content).decode("ascii")
    elif reply.body is not None:
        response["body"] = json.loads(reply.body) if isinstance(reply.body, RawJson) else reply.body
    return response
