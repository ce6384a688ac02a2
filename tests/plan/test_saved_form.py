"""A saved plan's form, as the jobs of a pipeline hand it to each other:

- read back (the pull-request comment renders the plans its jobs saved), it is the plan that was saved: every
  change with its attributes, reasons and ids, the warnings, and the drift;
- its fingerprint of a live object is of what was read, not of the order it was read in: the plan job and the apply
  job may read the same object with its fields in another order (another idamconf of the same plan format), and the
  plan must still apply; any change of a value refuses it."""

from __future__ import annotations

import json

import pytest

from idamconf.plan.model import Action, AttributeChange, Change, Plan, Resource
from idamconf.plan.saved import fingerprints, plan_from_dict, plan_to_dict

TENANT = "00000000-0000-0000-0000-00000000c001"
CHANGES = (
    Change("app.wordpress", "application", "wordpress", Action.UPDATE, {"displayName": "WordPress Blog"},
           {"displayName": "Contoso Blog"}, (AttributeChange("displayName", "WordPress Blog", "Contoso Blog"),),
           None, {"id": "1f0e0000-0000-0000-0000-000000000001", "appId": "1f0e0000-0000-0000-0000-000000000002"}),
    Change("app.wordpress.role.Blog.Writer", "role", "wordpress", Action.UPDATE, {"isEnabled": True},
           {"isEnabled": False}, (AttributeChange("isEnabled", True, False),), "disable-first", {"id": "r1"}),
    Change("app.wordpress.role.Blog.Writer", "role", "wordpress", Action.DELETE, {"isEnabled": False}, None, (),
           None, {"id": "r1"}),
    Change("app.expenses", "application", "expenses", Action.CREATE, None, {"displayName": "Expenses"},
           (AttributeChange("displayName", None, "Expenses"),)),
    Change("app.intranet", "application", "intranet", Action.ADOPT, {"uniqueName": None}, {"uniqueName": "intranet"},
           (AttributeChange("uniqueName", None, "intranet"),), "adopt", {"id": "a1"}),
    Change("app.payroll", "application", "payroll", Action.NOOP, {"displayName": "Payroll"},
           {"displayName": "Payroll"}),
)


@pytest.mark.parametrize("plan", [
    Plan("eucs-idam", "live", TENANT, CHANGES),
    Plan("eucs-idam", "live", TENANT, CHANGES, warnings=("this plan deletes app.stranger, which this project never "
                                                         "made",),
         drift=frozenset({"app.payroll"}), drifted={"app.wordpress": ("displayName", "web.redirectUris")},
         drift_base="main"),
], ids=["plain", "with warnings and drift"])
def test_a_saved_plan_read_back_is_the_plan_that_was_saved(plan):
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(plan)))) == plan

IDS = {"id": "1f0e0000-0000-0000-0000-000000000001", "appId": "1f0e0000-0000-0000-0000-000000000002"}


def read(attributes: dict, ids: dict = IDS) -> dict:
    return fingerprints({("application", "wordpress"): Resource("application", "app.wordpress", "wordpress",
                                                                attributes, ids)})


def test_the_same_object_read_in_another_order_has_the_same_fingerprint():
    one = read({"displayName": "WordPress", "web": {"redirectUris": ["https://a"], "homePageUrl": None}, "tags": []})
    other = read({"tags": [], "web": {"homePageUrl": None, "redirectUris": ["https://a"]}, "displayName": "WordPress"})
    assert one == other and list(one) == ["app.wordpress"]


def test_any_changed_value_or_id_changes_the_fingerprint():
    one = read({"displayName": "WordPress", "web": {"redirectUris": ["https://a"]}})
    assert read({"displayName": "WordPress", "web": {"redirectUris": ["https://b"]}}) != one
    assert read({"displayName": "WordPress", "web": {"redirectUris": ["https://a"]}}, {**IDS, "id": "other"}) != one
