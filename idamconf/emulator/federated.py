"""An application's federated identity credentials: `GET|POST /applications/{id}/federatedIdentityCredentials`,
`GET|PATCH|DELETE …/federatedIdentityCredentials/{id}` and `…/federatedIdentityCredentials(name='{name}')`.

As Graph does (resources/federatedidentitycredential.md, api/federatedidentitycredential-upsert.md): `name` is an
alternate key, at most 120 characters and immutable; `issuer`, `subject` and `audiences` are required; the issuer
and subject together are unique in the application; `audiences` holds exactly one value; issuer, subject,
audience and description at most 600 characters each; at most 20 per application. A PATCH by name with
`Prefer: create-if-missing` creates (201 with the object) or updates (204); without the header a missing one is
404. POST answers 201. The object has exactly Graph's properties (id, name, issuer, subject, description,
audiences), so the SDK's typed model reads it with nothing left over. The list takes `$select` and `$filter` with
`eq` on `name` and `subject` (application-list-federatedidentitycredentials.md, and the properties' "Supports
`$filter` (`eq`)"), a single credential's GET `$select` (federatedidentitycredential-get.md); another property,
operator or query option is refused 400 `Request_UnsupportedQuery`, as the emulator's other lists refuse them. A
credential is addressed by `(name='…')`, or by its id or its name as a bare segment (the get, update and delete
pages give both forms).

Inferred (Graph documents no answer): 409 `Request_MultipleObjectsWithSameKeyValue` for a name already used
(compared in any case), 400 `Request_BadRequest` for a repeated issuer and subject, the 21st credential, a name that
is not URL friendly (letters, digits, '-' and '_', starting with a letter or digit), an issuer that is not an https
URL, and a body's name that differs from the one in the URL. Each credential is stored apart from its
application (kind `federatedIdentityCredentials`, keyed `<application id>/<name in lower case>`) and deleted with it.
"""

from __future__ import annotations

import re

from .directory import CREATE_IF_MISSING, refuse_other_options, resolve
from .entities import EntitySet, new_id
from .errors import GraphError, bad_request, not_found
from .odata import parse_query, parse_select
from .protocol import Key, Reply, Request
from .store import Store

KIND = "federatedIdentityCredentials"
FIELDS = ("id", "name", "issuer", "subject", "description", "audiences")
WRITABLE = {"name", "issuer", "subject", "description", "audiences", "@odata.type"}
MOST = 20
LONGEST = 600
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$")
# federatedidentitycredential.md: name and subject "Supports `$filter` (`eq`)"; no other property does.
ENTITY = EntitySet(KIND, "microsoft.graph.federatedIdentityCredential", frozenset(FIELDS),
                   frozenset(WRITABLE - {"@odata.type"}), {"name": {"eq"}, "subject": {"eq"}})


def list_credentials(store: Store, request: Request, key: Key) -> Reply:
    application = resolve(store, "applications", key)
    refuse_other_options(request, {"$filter", "$select"})
    query = parse_query(request.query, ENTITY, request.list_scope)
    held = store.select(KIND, {"application": application["id"]}, primary=True, where=query.where,
                        values=query.params)
    context = request.context(f"applications('{application['id']}')/{KIND}", query.select)
    return Reply(200, {"@odata.context": context, "value": [_shown(c, query.select) for c in held]})


def create_credential(store: Store, request: Request, key: Key) -> Reply:
    application = resolve(store, "applications", key, primary=True)
    body = _body(request)
    if "name" not in body:
        raise bad_request("Property 'name' is required.")
    return _created(store, request, application, body)


def get_credential(store: Store, request: Request, key: Key, member) -> Reply:
    """federatedidentitycredential-get.md: "This method supports the `$select` OData query parameter"; no other."""
    application = resolve(store, "applications", key)
    select = parse_select(request.query.get("$select"), ENTITY.properties, ENTITY.odata_type)
    refuse_other_options(request, {"$select"})
    credential = _member(store, application, member)
    context = request.context(f"applications('{application['id']}')/{KIND}", select) + "/$entity"
    return Reply(200, {"@odata.context": context, **_shown(credential, select)})


def update_credential(store: Store, request: Request, key: Key, member) -> Reply:
    application = resolve(store, "applications", key, primary=True)
    body = _body(request)
    try:
        credential = _member(store, application, member)
    except GraphError:
        if isinstance(member, Key) and member.name == "name" and CREATE_IF_MISSING in request.prefer:
            return _created(store, request, application, {**body, "name": member.value})
        raise
    if "name" in body and body["name"] != credential["name"]:
        raise bad_request("Property 'name' is read-only once the federated identity credential exists.")
    _store(store, application, {**credential, **body})
    return Reply(204)


def delete_credential(store: Store, request: Request, key: Key, member) -> Reply:
    application = resolve(store, "applications", key, primary=True)
    credential = _member(store, application, member)
    store.delete(KIND, _key(application, credential["name"]))
    return Reply(204)


def delete_all(store: Store, application_id: str) -> None:
    """With the application (directory.delete_application)."""
    for credential in store.select(KIND, {"application": application_id}, primary=True):
        store.delete(KIND, _key({"id": application_id}, credential["name"]))


# ---------------------------------------------------------------------------------------------------- inside
def _created(store: Store, request: Request, application: dict, body: dict) -> Reply:
    held = _of(store, application)
    if any(c["name"].casefold() == str(body["name"]).casefold() for c in held):
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                         f"A federated identity credential named '{body['name']}' already exists on the application.")
    if len(held) >= MOST:
        raise bad_request(f"The application already has the most federated identity credentials allowed ({MOST}).")
    credential = {"id": new_id(), "description": None, **body}
    _store(store, application, credential)
    context = f"{request.base}/$metadata#applications('{application['id']}')/{KIND}/$entity"
    return Reply(201, {"@odata.context": context, **_shown(credential)})


def _store(store: Store, application: dict, credential: dict) -> None:
    _check(credential)
    others = [c for c in _of(store, application) if c["id"] != credential["id"]]
    if any((c["issuer"], c["subject"]) == (credential["issuer"], credential["subject"]) for c in others):
        raise bad_request("The combination of issuer and subject must be unique in the application: another "
                          "federated identity credential has them.")
    doc = {**{name: credential.get(name) for name in FIELDS}, "application": application["id"]}
    store.put(KIND, doc, _key(application, credential["name"]))


def _check(credential: dict) -> None:
    if not isinstance(credential.get("name"), str) or not NAME.match(credential["name"]):
        raise bad_request(f"Invalid value specified for property 'name': '{credential.get('name')}'.")
    for name in ("issuer", "subject"):
        value = credential.get(name)
        if not isinstance(value, str) or not value or len(value) > LONGEST:
            raise bad_request(f"Invalid value specified for property '{name}'.")
    if not credential["issuer"].startswith("https://"):
        raise bad_request("Invalid value specified for property 'issuer': it must be an https URL.")
    audiences = credential.get("audiences")
    if not isinstance(audiences, list) or len(audiences) != 1 or not isinstance(audiences[0], str) or \
            not audiences[0] or len(audiences[0]) > LONGEST:
        raise bad_request("Invalid value specified for property 'audiences': exactly one audience is allowed.")
    description = credential.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > LONGEST):
        raise bad_request("Invalid value specified for property 'description'.")


def _body(request: Request) -> dict:
    if not isinstance(request.body, dict):
        raise bad_request("Write requests must carry a JSON object body.")
    unknown = sorted(set(request.body) - WRITABLE)
    if unknown:
        raise bad_request(f"Property '{unknown[0]}' does not exist on type "
                          "'microsoft.graph.federatedIdentityCredential'.")
    return {name: value for name, value in request.body.items() if name != "@odata.type"}


def _of(store: Store, application: dict) -> list[dict]:
    return store.select(KIND, {"application": application["id"]}, primary=True)


def _member(store: Store, application: dict, member) -> dict:
    """The credential `member` names: a Key (`name='…'`), or a bare segment holding its id or its name (the get,
    update and delete pages: "address the federated identity credential with either its id or name"). A bare
    segment that is one credential's id and another's name finds the first by id (the emulator's choice)."""
    held = _of(store, application)
    wanted = member.value if isinstance(member, Key) else str(member)
    by_id = [] if isinstance(member, Key) else [c for c in held if c["id"] == wanted.lower()]
    found = by_id or [c for c in held if c["name"].casefold() == wanted.casefold()]
    if not found:
        raise not_found(wanted)
    return found[0]


def _key(application: dict, name: str) -> str:
    return f"{application['id']}/{name.casefold()}"


def _shown(credential: dict, select: tuple[str, ...] = ()) -> dict:
    return {name: credential.get(name) for name in select or FIELDS}


HANDLERS = {
    ("GET", "applications", ("{key}", KIND)): list_credentials,
    ("POST", "applications", ("{key}", KIND)): create_credential,
    **{(method, "applications", ("{key}", KIND, member)): handler
       for method, handler in (("GET", get_credential), ("PATCH", update_credential), ("DELETE", delete_credential))
       for member in ("{key}", "{id}")},
}
