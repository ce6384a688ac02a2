"""OData query options on lists: paging, $top, $select, $filter, and refusal of what Graph does not support."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from idamconf.emulator import Store

from .conftest import Api, add_applications, assert_error, moved, skiptoken

TOTAL = 2500


@pytest.fixture(scope="module")
def big():
    """An emulator holding 2,500 applications (module-scoped: seeded once)."""
    store = Store()
    add_applications(store, TOTAL)
    yield Api(store)
    store.close()


def _walk(api: Api, params: dict) -> list[dict]:
    pages = []
    response = api.get("applications", params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        link = body.get("@odata.nextLink")
        if not link:
            return pages
        assert link.startswith("http://emulator.localhost/v1.0/applications?")
        assert "$skiptoken" in parse_qs(urlsplit(link).query)
        response = api.get(link)


def _names(pages) -> list[str]:
    return [app["displayName"] for page in pages for app in page["value"]]


def test_default_page_is_100(big):
    body = big.get("applications").json()
    assert len(body["value"]) == 100
    assert body["@odata.nextLink"]
    assert [app["displayName"] for app in body["value"]] == [f"bulk-{i:05d}" for i in range(100)]


def test_top_999_pages_through_everything_without_gaps_or_duplicates(big):
    pages = _walk(big, {"$top": "999"})
    assert [len(page["value"]) for page in pages] == [999, 999, 502]
    assert _names(pages) == [f"bulk-{i:05d}" for i in range(TOTAL)]
    assert "@odata.nextLink" not in pages[-1]


def test_default_paging_reaches_everything(big):
    pages = _walk(big, {})
    assert [len(page["value"]) for page in pages] == [100] * 25
    ids = [app["id"] for page in pages for app in page["value"]]
    assert len(ids) == len(set(ids)) == TOTAL


def test_next_link_keeps_select_and_filter(big):
    pages = _walk(big, {"$top": "50", "$select": "id,displayName", "$filter": "startsWith(displayName,'bulk-001')"})
    assert [len(page["value"]) for page in pages] == [50, 50]
    assert _names(pages) == [f"bulk-{i:05d}" for i in range(100, 200)]
    assert all(set(app) == {"id", "displayName"} for page in pages for app in page["value"])


@pytest.mark.parametrize("top", ["1000", "5000"])
def test_top_above_999_is_unsupported(big, top):
    assert_error(big.get("applications", params={"$top": top}), 400, "Request_UnsupportedQuery")


@pytest.mark.parametrize("top", ["0", "-1", "abc"])
def test_invalid_top_is_400(big, top):
    assert_error(big.get("applications", params={"$top": top}), 400)


def test_invalid_skiptoken_is_400(big):
    assert_error(big.get("applications", params={"$skiptoken": "garbage!"}), 400)


@pytest.mark.parametrize("seq", ["-1", str(1 << 63), "x"])
def test_a_skiptoken_the_emulator_did_not_give_is_400(big, seq):
    """A token naming a place before the list's start or past any SQLite integer, or no place, restarts no list
    and fails no request; nor does one of another service's form."""
    token = skiptoken(big.get("applications", params={"$top": "2"}).json()["@odata.nextLink"])
    assert big.get("applications", params={"$top": "2", "$skiptoken": moved(token, "2")}).status_code == 200
    assert_error(big.get("applications", params={"$top": "2", "$skiptoken": moved(token, seq)}), 400)
    text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for other in (b"another-service:200", text.replace(b"idamconf-emulator", b"another-service")):
        assert_error(big.get("applications", params={"$skiptoken": base64.urlsafe_b64encode(other).decode()}), 400)


def test_a_skiptoken_belongs_to_its_list(api):
    """Graph's skiptokens are good only in the nextLink that carries them. One given to another list -- another
    filter, another `$select`, another set, another application's owners -- is refused, not read as a place
    there; the page's size may change."""
    for name in ("a", "b", "c"):
        api.create_app(displayName=name, tags=["mine"])
    by_name = {"$filter": "displayName ge 'a'", "$top": "1"}
    keyed = skiptoken(api.get("applications", params=by_name).json()["@odata.nextLink"])
    assert api.get("applications", params={**by_name, "$top": "5", "$skiptoken": keyed}).status_code == 200
    app_ids = [app["appId"] for app in api.get("applications").json()["value"]]
    by_app_id = {"$filter": f"appId in ('{app_ids[0]}','{app_ids[1]}')", "$top": "1"}
    for other in (by_app_id, {**by_name, "$filter": "displayName ge 'b'"}, {**by_name, "$select": "id"}):
        assert_error(api.get("applications", params={**other, "$skiptoken": keyed}), 400)
    assert_error(api.get("servicePrincipals", params={**by_name, "$skiptoken": keyed}), 400)
    plain = skiptoken(api.get("applications", params={"$top": "1"}).json()["@odata.nextLink"])
    assert_error(api.get("servicePrincipals", params={"$top": "1", "$skiptoken": plain}), 400)
    first, second = api.get("applications").json()["value"][:2]
    for app in (first, second):
        for number in range(3):
            user, = api.seed_users({"userPrincipalName": f"owner{number}-{app['id'][:8]}@contoso.com"})
            api.post(f"applications/{app['id']}/owners/$ref",
                     json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user['id']}"})
    owners = skiptoken(api.get(f"applications/{first['id']}/owners", params={"$top": "1"}).json()["@odata.nextLink"])
    assert api.get(f"applications/{first['id']}/owners", params={"$top": "1", "$skiptoken": owners}).status_code == 200
    assert_error(api.get(f"applications/{second['id']}/owners", params={"$top": "1", "$skiptoken": owners}), 400)
    expanded = {**by_name, "$expand": "owners"}
    token = skiptoken(api.get("applications", params=expanded).json()["@odata.nextLink"])
    assert api.get("applications", params={**expanded, "$skiptoken": token}).status_code == 200
    assert_error(api.get("applications", params={**by_name, "$skiptoken": token}), 400)


def test_a_next_link_given_inside_a_batch_is_followed_as_any(api):
    """idamconf reads a list's first page inside `$batch` and follows its nextLink on its own (graph/client): the
    token a batch's item gave belongs to the same list when asked directly."""
    for name in ("a", "b", "c"):
        api.create_app(displayName=name, tags=["mine"])
    item = {"id": "1", "method": "GET", "url": "/applications?$filter=displayName ge 'a'&$top=1&$expand=owners"}
    first = api.post("$batch", json={"requests": [item]}).json()["responses"][0]["body"]
    names = [app["displayName"] for app in first["value"]]
    link = first["@odata.nextLink"]
    while link:
        page = api.get(link).json()
        names += [app["displayName"] for app in page["value"]]
        link = page.get("@odata.nextLink")
    assert names == ["a", "b", "c"]


@pytest.mark.parametrize("unique_name", ["50%41", "a#b", "é?x"])
def test_a_next_link_names_its_list_as_sent(api, unique_name):
    """A key's value holding what a URL's path cannot (`%`, `#`, `?`, non-ASCII) is percent-encoded in the nextLink,
    so the link reads the same list (a `%41` came back as `A`: another application, 404; a `#` cut the link)."""
    app = api.post("applications", json={"displayName": "x", "uniqueName": unique_name}).json()
    for number in range(3):
        user, = api.seed_users({"userPrincipalName": f"owner{number}@contoso.com"})
        api.post(f"applications/{app['id']}/owners/$ref",
                 json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user['id']}"})
    path = f"applications(uniqueName='{quote(unique_name, safe='')}')/owners"
    first = api.get(path, params={"$top": "2"}).json()
    following = api.get(first["@odata.nextLink"])
    assert following.status_code == 200 and len(first["value"] + following.json()["value"]) == 3


def test_select_narrows_and_shows_in_context(big):
    body = big.get("applications", params={"$select": "id,displayName", "$top": "5"}).json()
    assert body["@odata.context"].endswith("$metadata#applications(id,displayName)")
    assert all(set(app) == {"id", "displayName"} for app in body["value"])
    assert len(body["value"]) == 5


def test_select_on_a_single_object(api):
    app = api.create_app(displayName="One", tags=["a"])
    body = api.get(f"applications/{app['id']}", params={"$select": "displayName,tags"}).json()
    assert body["@odata.context"].endswith("$metadata#applications(displayName,tags)/$entity")
    assert {k: v for k, v in body.items() if k != "@odata.context"} == {"displayName": "One", "tags": ["a"]}


def test_unknown_select_property_is_400(api):
    error = assert_error(api.get("applications", params={"$select": "id,colour"}), 400)
    assert "colour" in error["message"]
    app = api.create_app()
    assert_error(api.get(f"applications/{app['id']}", params={"$select": "colour"}), 400)


@pytest.fixture
def sample(api):
    apps = {
        "alpha": api.create_app(displayName="alpha", tags=["x", "y"]),
        "alpine": api.create_app(displayName="alpine", tags=["y"]),
        "beta": api.create_app(displayName="beta", tags=["x"]),
        "O'Hara": api.create_app(displayName="O'Hara"),
    }
    return api, apps


def _filter(api, expression) -> list[str]:
    response = api.get("applications", params={"$filter": expression})
    assert response.status_code == 200, response.text
    return [app["displayName"] for app in response.json()["value"]]


def test_filter_display_name_eq(sample):
    api, _ = sample
    assert _filter(api, "displayName eq 'beta'") == ["beta"]
    assert _filter(api, "displayName eq 'O''Hara'") == ["O'Hara"]
    assert _filter(api, "displayName eq 'gamma'") == []


def test_filter_starts_with(sample):
    api, _ = sample
    assert _filter(api, "startsWith(displayName,'alp')") == ["alpha", "alpine"]
    assert _filter(api, "startswith(displayName, 'b')") == ["beta"]
    assert _filter(api, "startsWith(displayName,'%')") == []  # LIKE wildcards are literal
    assert _filter(api, "startsWith(displayName,'alp_a')") == []


def test_filter_in(sample):
    api, _ = sample
    assert _filter(api, "displayName in ('alpha','beta')") == ["alpha", "beta"]
    assert _filter(api, "displayName in ('nothing')") == []


def test_filter_app_id_eq(sample):
    api, apps = sample
    assert _filter(api, f"appId eq '{apps['alpine']['appId']}'") == ["alpine"]


def test_filter_tags_any(sample):
    api, _ = sample
    assert _filter(api, "tags/any(t:t eq 'x')") == ["alpha", "beta"]
    assert _filter(api, "tags/any(t:t eq 'y')") == ["alpha", "alpine"]
    assert _filter(api, "tags/any(t:t eq 'z')") == []


def test_filter_identifier_uris_any_finds_a_uri_in_any_case(api):
    """Graph keeps identifier URIs unique in any case (a write taking one another application holds in capitals is
    refused): the look-up finds that application too, so a client can say before a write who holds a URI."""
    held = f"api://{api.store.tenant_id}/Held"
    api.create_app(displayName="holder", identifierUris=[held])
    api.create_app(displayName="other", identifierUris=[held + "-2"])
    for asked in (held, held.lower(), held.upper()):
        assert _filter(api, f"identifierUris/any(u:u eq '{asked}')") == ["holder"]
    taken = api.post("applications", json={"displayName": "taker", "identifierUris": [held.upper()]})
    assert_error(taken, 400, "Request_MultipleObjectsWithSameKeyValue")


def test_filter_and_or(sample):
    api, _ = sample
    assert _filter(api, "startsWith(displayName,'alp') and tags/any(t:t eq 'x')") == ["alpha"]
    assert _filter(api, "displayName eq 'beta' or displayName eq 'alpine'") == ["alpine", "beta"]


def test_operators_are_read_in_any_case(sample):
    """Graph reads OData's built-in names in any case -- `startsWith` is its documented spelling of `startswith` --
    and its operators alike: Microsoft.OData.Core's parser matches operators and functions under one switch
    (`enableCaseInsensitiveBuiltinIdentifier`), which a documented `startsWith` shows to be on."""
    api, _ = sample
    assert _filter(api, "startsWith(displayName,'alp') AND tags/ANY(t:t EQ 'x')") == ["alpha"]
    assert _filter(api, "displayName Eq 'beta' OR displayName eq 'alpine'") == ["alpine", "beta"]


def test_filter_ranges_include_their_bound_and_compare_in_any_case(sample):
    api, _ = sample
    assert _filter(api, "displayName ge 'beta'") == ["beta", "O'Hara"]
    assert _filter(api, "displayName le 'B'") == ["alpha", "alpine"]


@pytest.mark.parametrize("expression", [
    "description eq 'x'",
    "endsWith(displayName,'x')",
    "displayName ne 'x'",
    "contains(displayName,'x')",
    "displayName eq",
    "displayName eq beta",
    "displayName eq 'a' xor",
    "tags/any(t:t ne 'x')",
    "displayName/any(t:t eq 'x')",
])
def test_unsupported_filters_are_400_unsupported_query(api, expression):
    assert_error(api.get("applications", params={"$filter": expression}), 400, "Request_UnsupportedQuery")


@pytest.mark.parametrize("option,value", [("$orderby", "displayName"), ("$search", '"displayName:a"'),
                                          ("$expand", "owners($top=5)"), ("$count", "true"), ("$skip", "5")])
def test_other_options_are_400_unsupported_query(api, option, value):
    assert_error(api.get("applications", params={option: value}), 400, "Request_UnsupportedQuery")


def test_exact_filters_page_along_their_index_in_any_case(api):
    """`appId in (...)` and `displayName eq` are served through an index (odata.INDEXED): page after page, each
    match comes once, in the index's order (the value in any case, then the list's order), beside a tag's lambda."""
    made = [api.create_app(displayName=f"same {n % 2}", tags=["mine"] if n != 3 else []) for n in range(7)]
    wanted = [app["appId"] for app in made[1:6]]
    expression = ("tags/any(t:t eq 'mine') and appId in ("
                  + ",".join(f"'{app_id.upper()}'" for app_id in reversed(wanted)) + ")")
    found, params = [], {"$filter": expression, "$top": "2"}
    url = "applications"
    while url:
        page = api.get(url, params=params).json()
        found += [app["appId"] for app in page["value"]]
        url, params = page.get("@odata.nextLink"), None
    assert found == sorted(app_id for app_id in wanted if app_id != made[3]["appId"])
    assert _filter(api, "displayName eq 'SAME 1'") == ["same 1"] * 3


def _pages(api: Api, params: dict) -> list[list[dict]]:
    """Every page of the applications `params` ask for, following each page's nextLink."""
    pages, url = [], "applications"
    while url:
        response = api.get(url, params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json()["value"])
        url, params = response.json().get("@odata.nextLink"), None
    return pages


def test_a_range_of_display_names_pages_through_names_alike_in_any_case_each_once(api):
    """A list filtered on an indexed property is paged along that index (store.py `_along`): by the name in
    any case, then in the list's order, each page starting after the last row of the one before -- also when a
    page ends among names alike in any case, which must neither repeat nor skip one."""
    names = ["m", "M", "b", "m", "z", "M", "c", "m", "a"]
    made = [api.create_app(displayName=name, tags=["mine"]) for name in names]
    api.create_app(displayName="m", tags=["other"])  # outside the tag: never listed
    pages = _pages(api, {"$filter": "tags/any(t:t eq 'mine') and displayName ge 'b' and displayName le 'M'",
                         "$top": "2"})
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    listed = [app["id"] for page in pages for app in page]
    in_range = sorted((app["displayName"].lower(), index) for index, app in enumerate(made)
                      if "b" <= app["displayName"].lower() <= "m")
    assert listed == [made[index]["id"] for _, index in in_range]


def test_an_application_made_between_two_pages_further_along_the_index_is_listed(api):
    for name in ("a", "b", "c"):
        api.create_app(displayName=name, tags=["mine"])
    params = {"$filter": "tags/any(t:t eq 'mine') and displayName ge 'a'", "$top": "2"}
    first = api.get("applications", params=params).json()
    api.create_app(displayName="bb", tags=["mine"])  # after the first page's last name
    api.create_app(displayName="a", tags=["mine"])  # before it: not in a later page
    rest = api.get(first["@odata.nextLink"]).json()
    assert [app["displayName"] for app in first["value"] + rest["value"]] == ["a", "b", "bb", "c"]


def test_a_skiptoken_of_another_kind_of_list_is_400(api):
    """A list paged along an index continues after (value, place); one in the list's order after a place: a token
    of the one kind is refused by the other, as a token of another list."""
    for name in ("a", "b", "c"):
        api.create_app(displayName=name, tags=["mine"])
    indexed = {"$filter": "displayName ge 'a'", "$top": "1"}
    keyed, plain = (parse_qs(urlsplit(api.get("applications", params=params).json()["@odata.nextLink"]).query)
                    ["$skiptoken"][0] for params in (indexed, {"$top": "1"}))
    assert_error(api.get("applications", params={"$top": "1", "$skiptoken": keyed}), 400)
    assert_error(api.get("applications", params={**indexed, "$skiptoken": plain}), 400)
    assert api.get("applications", params={**indexed, "$skiptoken": keyed}).status_code == 200
    assert_error(api.get("applications", params={**indexed, "$skiptoken": moved(keyed, str(1 << 63))}), 400)
    # the right list, the wrong kind: a place without the value, or a value where none belongs
    def text(token):
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()

    def token(text):
        return base64.urlsafe_b64encode(text.encode()).decode()

    unkeyed = token(":".join(text(keyed).split(":", 3)[:3]))
    assert_error(api.get("applications", params={**indexed, "$skiptoken": unkeyed}), 400)
    assert api.get("applications", params={"$top": "1", "$skiptoken": plain}).status_code == 200
    assert_error(api.get("applications", params={"$top": "1", "$skiptoken": token(text(plain) + ":b")}), 400)


def _steps(store: Store, request):
    """A request's answer, and the SQLite virtual machine's steps it took (counted by tens): the work its queries
    did, whatever the machine's speed."""
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0

    store._db.set_progress_handler(tick, 10)
    try:
        return request(), ticks[0]
    finally:
        store._db.set_progress_handler(None, 10)


@pytest.mark.parametrize("expression", ["displayName eq 'same'", "appId in ({app_ids})"])
def test_the_later_pages_of_an_exact_filter_cost_what_its_first_does(expression):
    """Paged along an index, a later page starts at the last row's place; for `eq` and `in` the index is still
    sought at the values compared, never gone through from that place to its end (2,000 applications here)."""
    store = Store()
    add_applications(store, 2000, prefix="zz")
    api = Api(store)
    made = [api.create_app(displayName="same") for _ in range(3)]
    params = {"$filter": expression.format(app_ids=",".join(f"'{app['appId']}'" for app in made)), "$top": "1"}
    page, first = _steps(store, lambda: api.get("applications", params=params))
    listed, later = [app["id"] for app in page.json()["value"]], []
    while "@odata.nextLink" in page.json():
        link = page.json()["@odata.nextLink"]
        page, steps = _steps(store, lambda: api.get(link))
        listed += [app["id"] for app in page.json()["value"]]
        later.append(steps)
    assert sorted(listed) == sorted(app["id"] for app in made) and len(later) == 2
    assert max(later) <= 2 * first + 20, (first, later)
    store.close()


def test_service_principals_split_by_the_first_digit_of_their_app_id_are_each_read_once(api):
    """Graph documents `startsWith` on a service principal's appId (servicePrincipal.md), not on an application's
    (application.md: `eq`): the 16 lists `startsWith(appId,'0')` ... `'f'` (graph/streams.py) hold every service
    principal of the tag once, page after page in the index's order, whatever case the prefix is written in."""
    made = []
    for n in range(24):
        app = api.create_app(displayName=f"split {n}", tags=["mine"] if n % 5 else [])
        principal = api.post("servicePrincipals", json={"appId": app["appId"], "tags": app.get("tags") or []})
        assert principal.status_code == 201, principal.text
        made.append(principal.json())
    found = []
    for digit in "0123456789abcdef":
        params = {"$filter": f"tags/any(t:t eq 'mine') and startsWith(appId,'{digit.upper()}')", "$top": "2"}
        url, listed = "servicePrincipals", []
        while url:
            page = api.get(url, params=params)
            assert page.status_code == 200, page.text
            listed += [sp["appId"] for sp in page.json()["value"]]
            url, params = page.json().get("@odata.nextLink"), None
        assert all(app_id.startswith(digit) for app_id in listed)
        assert listed == sorted(listed)  # in the index's order: by appId (GUIDs: no two alike)
        found += listed
    assert sorted(found) == sorted(sp["appId"] for n, sp in enumerate(made) if n % 5)
    assert_error(api.get("applications", params={"$filter": "startsWith(appId,'0')"}), 400, "Request_UnsupportedQuery")
