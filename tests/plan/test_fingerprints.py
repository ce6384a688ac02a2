"""A saved plan's fingerprint of a live object is of what was read, not of the order it was read in: the plan job and
the apply job may read the same object with its fields in another order (another idamconf of the same plan format,
another page of Graph's answer), and the plan must still apply; any change of a value refuses it."""

from __future__ import annotations

from idamconf.plan.model import Resource
from idamconf.plan.saved import fingerprints

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
