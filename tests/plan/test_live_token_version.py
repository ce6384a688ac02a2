"""The access token version a plan reads of an application: as Graph holds it, its null being Graph's default,
version 1 (apiApplication) -- so that a file asking for v2 plans a change from 1, and one asking for v1 none."""

import pytest

from idamconf.plan.resources import live_resources


@pytest.mark.parametrize("api, version", [({"requestedAccessTokenVersion": 2}, 2),
                                          ({"requestedAccessTokenVersion": None}, 1), (None, 1)],
                         ids=["v2", "null", "no api"])
def test_the_token_version_is_read_as_graph_holds_it(api, version):
    app = {"id": "o1", "appId": "a1", "uniqueName": "web", "displayName": "Web", "tags": ["idamconf:p"], "api": api}
    [application] = [r for r in live_resources([app], [], {}).values() if r.kind == "application"]
    assert application.attributes["api"]["requestedAccessTokenVersion"] == version
