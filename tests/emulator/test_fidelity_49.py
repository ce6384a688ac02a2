"""Gaps left open by session 48's fidelity review, closed from Microsoft's documentation (microsoftgraph/
microsoft-graph-docs-contrib, MicrosoftDocs/entra-docs; "inferred" where the docs do not say it in so many words):
a service principal's own app roles, a federated credential's GET, the SAML federation metadata URL, empty token
claims, and `$batch` dependency trees."""

from __future__ import annotations

from .conftest import assert_error

POST = {"method": "POST", "url": "/applications", "headers": {"Content-Type": "application/json"}}


# ------------------------------------------------------------------------------------------------------ $batch
def _creates(*depends: list[str] | None) -> list[dict]:
    """Requests "1", "2", ... creating applications, request n+1 with `depends[n]` as its dependsOn."""
    items = []
    for index, names in enumerate(depends, start=1):
        item = {"id": str(index), **POST, "body": {"displayName": f"app {index}"}}
        items.append({**item, "dependsOn": names} if names is not None else item)
    return items


def test_a_batch_whose_dependencies_branch_is_refused(api):
    """Graph's known issues, "JSON batching: Request dependencies are limited": a request "can only depend on a
    single other request", and a batch is parallel, serial ("all individual requests depend on the previous
    individual request") or same ("all individual requests that state a dependency ... state the same
    dependency"). Two requests on the second, or one on two, is none of them: 400, nothing runs (inferred code and
    wording, as for the mixed batch)."""
    for refused in (_creates(None, ["1"], ["2"], ["2"]),       # a branch below the second
                    _creates(None, ["1"], ["1", "2"]),         # one request on two
                    _creates(None, ["1"], ["1"], ["3"])):      # "same", then a chain
        error = assert_error(api.post("$batch", json={"requests": refused}), 400, "Request_BadRequest")
        assert "fully sequential or fully parallel" in error["message"]
    assert api.get("applications").json()["value"] == []


def test_a_serial_or_same_batch_runs(api):
    """The patterns Graph runs: each request on the one before it (json-batching.md's example), or every request
    on the same one (test_assignments.py's batch), in the order sent."""
    for accepted in (_creates(None, ["1"], ["2"], ["3"]), _creates(None, ["1"], ["1"], ["1"]),
                     _creates(None, ["1"])):
        answer = api.post("$batch", json={"requests": accepted})
        assert answer.status_code == 200, answer.text
        assert [r["status"] for r in answer.json()["responses"]] == [201] * len(accepted)
    assert len(api.get("applications").json()["value"]) == 10
