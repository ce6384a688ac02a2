"""apply's report as a comment: the tables of what the tenant gave back -- each created application's ids and each
SAML application's hand-over (metadata URL, entity id, sign-on URL, thumbprint, expiry, all read from Graph) -- keep
their rows and cells whatever Graph answered, and nothing in them is markup, a mention or a hidden character."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from idamconf.apply import Outcome
from idamconf.plan.render_markdown import render_apply_markdown

from .hostile import VALUES, plan_of
from .structure import kinds
from .test_markdown import assert_inert

PROPERTY = settings(deadline=None, database=None, max_examples=40)
HANDOVER = ("metadataUrl", "entityId", "signOnUrl", "thumbprint", "expires")
IDS = ("client_id", "object_id", "service_principal_id")


@PROPERTY
@given(st.lists(VALUES, min_size=8, max_size=8))
@example(["a|b", "x | y", "`|`", "\\|", "<!--|", "@team|", "\n| ➕ |", "##[|"])  # a cell boundary in every value
def test_what_graph_gave_back_stays_in_its_cells(values):
    plan = plan_of(["payroll", "reader", "hr", "staff", "alice", "text", "other", "message"])
    outcome = Outcome(done=[change for change in plan.pending if change.address == "app.payroll"])
    outcome.saml = {"payroll": dict(zip(HANDOVER, values))}
    created = [{"address": "app.payroll", **dict(zip(IDS, values[5:]))}]
    document = render_apply_markdown(plan, outcome, created)
    tables = [cells for _, cells, _ in kinds(document, "row")]
    assert tables[-6:] == [4, 4, 4, 6, 6, 6]  # created: header, rule, one row; hand-over: header, rule, one row
    assert_inert(document)
