"""graph/read.user_names: the people a policy names by id that the configuration does not name, looked up by id --
those that exist by UPN, those gone left out (named by id), and any other failure said, never taken for 'gone'."""

from __future__ import annotations

import asyncio

import pytest

from idamconf.graph.client import GraphRequestFailed, Response
from idamconf.graph.read import user_names

ZOE, GONE, ODD = "1a6c1b1e-0000-4000-8000-000000000099", "1a6c1b1e-0000-4000-8000-0000000000aa", "not-an-id"


class Directory:
    """A GraphClient's batch over fixed answers by path, recording the paths asked."""

    def __init__(self, answers: dict[str, Response]):
        self.answers, self.asked = answers, []

    async def batch(self, requests):
        self.asked += [request.url.split("?")[0] for request in requests]
        return [self.answers[request.url.split("?")[0]] for request in requests]


def missing(status: int) -> Response:
    return Response(status, {"error": {"code": "x", "message": "no such user"}}, {})


def test_existing_users_are_named_by_upn_in_lower_case_and_the_gone_are_left_out():
    directory = Directory({f"users/{ZOE}": Response(200, {"id": ZOE, "userPrincipalName": "Zoe.U@contoso.com"}, {}),
                           f"users/{GONE}": missing(404), f"users/{ODD}": missing(400)})
    found = asyncio.run(user_names(directory, [ZOE.upper(), GONE, ODD, ZOE]))
    assert found == {ZOE: "zoe.u@contoso.com"}
    assert sorted(directory.asked) == sorted([f"users/{ZOE}", f"users/{GONE}", f"users/{ODD}"])  # each once


def test_an_answer_for_another_object_is_not_taken():
    directory = Directory({f"users/{ZOE}": Response(200, {"id": GONE, "userPrincipalName": "x@contoso.com"}, {})})
    assert asyncio.run(user_names(directory, [ZOE])) == {}


@pytest.mark.parametrize("status", [403, 429, 503])
def test_a_failure_other_than_not_found_is_said(status):
    directory = Directory({f"users/{ZOE}": missing(status)})
    with pytest.raises(GraphRequestFailed, match=f"GET users/{ZOE}"):
        asyncio.run(user_names(directory, [ZOE]))


def test_nothing_is_asked_for_no_one():
    directory = Directory({})
    assert asyncio.run(user_names(directory, [])) == {} and directory.asked == []
