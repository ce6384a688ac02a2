"""The order apply writes one application's federated credentials in (credentials/federated.write_order): never an
issuer and subject held twice at a moment, as Graph refuses (federatedidentitycredential.md: "The combination of the
values of issuer and subject must be unique within the app")."""

from __future__ import annotations

from dataclasses import dataclass

from idamconf.credentials.federated import PARK, WRITE, write_order

ISSUER = "https://token.actions.githubusercontent.com"


@dataclass
class Change:
    before: dict | None
    after: dict


def credential(name: str, subject: str) -> dict:
    return {"name": name, "issuer": ISSUER, "subject": subject}


def update(name: str, was: str, now: str) -> Change:
    return Change(credential(name, was), credential(name, now))


def steps(changes) -> list[tuple[str, str]]:
    return [(step, change.after["name"]) for step, change in write_order(changes)]


def held_once_at_every_step(changes) -> bool:
    """Replays the steps on the pairs held: no write takes a pair another credential holds."""
    held = {change.after["name"]: change.before["subject"] for change in changes if change.before is not None}
    for step, change in write_order(changes):
        subject = "parked" + change.after["name"] if step == PARK else change.after["subject"]
        if subject in {s for name, s in held.items() if name != change.after["name"]}:
            return False
        held[change.after["name"]] = subject
    return sorted(held.items()) == sorted((c.after["name"], c.after["subject"]) for c in changes)


def test_independent_writes_keep_their_order_and_park_nothing():
    changes = [update("a", "s1", "s2"), Change(None, credential("b", "s3"))]
    assert steps(changes) == [(WRITE, "a"), (WRITE, "b")]


def test_a_write_taking_the_pair_another_leaves_waits_for_it():
    changes = [Change(None, credential("new", "s1")), update("old", "s1", "s2")]
    assert steps(changes) == [(WRITE, "old"), (WRITE, "new")]
    assert held_once_at_every_step(changes)


def test_a_swap_parks_one_and_a_ring_of_three_one():
    swap = [update("a", "s1", "s2"), update("b", "s2", "s1")]
    assert steps(swap) == [(PARK, "b"), (WRITE, "a"), (WRITE, "b")]
    assert held_once_at_every_step(swap)
    ring = [update("a", "s1", "s2"), update("b", "s2", "s3"), update("c", "s3", "s1"), update("d", "s4", "s5")]
    assert [step for step, _ in steps(ring)].count(PARK) == 1 and len(steps(ring)) == 5
    assert held_once_at_every_step(ring)


def test_a_change_of_description_alone_is_its_own_holder():
    same = Change(credential("a", "s1"), {**credential("a", "s1"), "description": "now described"})
    assert steps([same]) == [(WRITE, "a")]
