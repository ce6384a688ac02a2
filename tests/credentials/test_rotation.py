"""The client secrets' rotation plan, pure (credentials/rotation.py): what a plan made at one moment adds, keeps and
removes, with the status and dates it shows for each password -- at the edges of each rule (the day rotation is
due, the instant a password expires, the instant its overlap ends), for passwords Graph lists in any case, and
for those the vault holds no copy of. The CLI tests (tests/cli/test_client_secrets.py) run the same over simulated
months against the emulator; these pin each rule's edge in milliseconds."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from idamconf.credentials import rotation
from idamconf.credentials.client_secrets import ClientSecret

NOW = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
VAULT = "https://contoso-payroll.vault.azure.net"
SINK = f"{VAULT}/secrets/payroll-secret"
NIGHTLY = ClientSecret("Nightly Job", VAULT + "/", "payroll-secret", 180, 30, 14)


def password(key: str, start: str, end: str, name: str = "nightly job") -> dict:
    """A live password's attributes as `rotation.live` gives them."""
    return {"displayName": name, "keyId": key, "hint": key[:3], "startDateTime": start, "endDateTime": end}


def plan(*passwords, held=None, now=NOW, secrets=(NIGHTLY,)):
    desired, statuses = rotation.planned(secrets, "app.payroll", list(passwords), held or {}, now)
    return [(address, attributes.get("status")) for _, address, attributes, _, _ in desired], statuses


def test_a_secret_without_passwords_gets_a_new_one_expiring_after_its_lifetime():
    [new], statuses = rotation.planned((NIGHTLY,), "app.payroll", [], {}, NOW)
    assert statuses == {}
    assert new == ("secret", "app.payroll.secret[Nightly Job#next]",
                   {"displayName": "Nightly Job", "expires": "2027-06-30", "vault": SINK, "status": "added now",
                    "replaces": []},
                   "next:nightly job", {"vaultUrl": VAULT + "/", "secretName": "payroll-secret", "lifetimeDays": 180})


def test_the_current_password_is_kept_in_use_until_thirty_days_before_it_expires():
    current = password("abc1", "2026-12-01T12:00:00Z", "2027-01-31T12:00:01Z")  # 30 days and a second left
    desired, statuses = rotation.planned((NIGHTLY,), "app.payroll", [current], {}, NOW)
    assert desired == [("secret", "app.payroll.secret[nightly job#abc1]", {**current, "status": "in use"}, "abc1", {})]
    assert statuses == {"abc1": "in use"}


def test_thirty_days_before_it_expires_a_successor_is_added_and_it_is_kept_for_the_overlap():
    current = password("abc1", "2026-08-04T12:00:00Z", "2027-01-31T12:00:00Z")  # exactly 30 days left
    assert plan(current) == (
        [("app.payroll.secret[nightly job#abc1]", "superseded: removed on or after 2027-01-15"),
         ("app.payroll.secret[Nightly Job#next]", "added now")],
        {"abc1": "superseded: removed on or after 2027-01-15"})
    [_, new] = rotation.planned((NIGHTLY,), "app.payroll", [current], {}, NOW)[0]
    assert new[2]["replaces"] == ["abc1 (hint abc), removed on or after 2027-01-15"]


def test_the_superseded_password_is_kept_until_its_overlap_ends_then_removed():
    old = password("old1", "2026-07-20T12:00:00Z", "2027-01-16T12:00:00Z")
    new = password("new1", "2026-12-18T12:00:01Z", "2027-06-16T12:00:00Z")  # 14 days ago, less one second
    assert plan(old, new) == (
        [("app.payroll.secret[nightly job#old1]", "superseded: removed on or after 2027-01-01"),
         ("app.payroll.secret[nightly job#new1]", "in use")],
        {"old1": "superseded: removed on or after 2027-01-01", "new1": "in use"})
    new["startDateTime"] = "2026-12-18T12:00:00Z"  # exactly 14 days ago: the overlap is over, the old one goes
    assert plan(old, new) == ([("app.payroll.secret[nightly job#new1]", "in use")],
                              {"old1": "superseded: its overlap ended on 2027-01-01", "new1": "in use"})


def test_an_expired_password_is_removed_at_the_instant_it_expires_and_a_new_one_added():
    gone = password("gon1", "2026-07-05T12:00:00Z", "2027-01-01T12:00:00Z")
    assert plan(gone) == ([("app.payroll.secret[Nightly Job#next]", "added now")], {"gon1": "expired on 2027-01-01"})
    gone["endDateTime"] = "2027-01-01T12:00:01Z"  # valid one second more: superseded, kept for the overlap
    assert plan(gone)[1] == {"gon1": "superseded: removed on or after 2027-01-15"}


SWITCH = "readers of its old place have until then to switch"


def test_a_password_with_no_copy_where_the_file_says_is_kept_for_the_overlap_like_a_superseded_one():
    """The file moved the secret (another vault or secret name): the password in use has no copy at the new place,
    and may be read from the old one -- a new one is added now and the old one kept for the overlap, then removed;
    the plan says why and until when. (An apply killed before its vault write leaves a password just like it.)"""
    moved = password("mov1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z")
    kept = f"no copy in {SINK}: removed on or after 2027-01-15; {SWITCH}"
    assert plan(moved, held={SINK: set()}) == ([("app.payroll.secret[nightly job#mov1]", kept),
                                                ("app.payroll.secret[Nightly Job#next]", "added now")], {"mov1": kept})
    [_, new] = rotation.planned((NIGHTLY,), "app.payroll", [moved], {SINK: set()}, NOW)[0]
    assert new[2]["replaces"] == [f"mov1 (hint mov), {kept}"]
    added = password("new1", "2027-01-01T12:00:00Z", "2027-06-30T12:00:00Z")  # the new one, in the new place
    almost = NOW + dt.timedelta(days=14, seconds=-1)
    assert plan(moved, added, held={SINK: {"new1"}}, now=almost) == (
        [("app.payroll.secret[nightly job#mov1]", kept), ("app.payroll.secret[nightly job#new1]", "in use")],
        {"mov1": kept, "new1": "in use"})
    assert plan(moved, added, held={SINK: {"new1"}}, now=almost + dt.timedelta(seconds=1)) == (
        [("app.payroll.secret[nightly job#new1]", "in use")],
        {"mov1": f"no copy in {SINK}: its overlap ended on 2027-01-15", "new1": "in use"})


def test_a_password_with_no_copy_older_than_the_one_in_use_goes_once_the_overlap_of_the_one_in_use_is_over():
    """An apply killed between addPassword and the vault write, then finished by the next one: the orphan (whose
    value exists nowhere) lingers no longer than a superseded password would."""
    orphan = password("orp1", "2026-12-01T11:00:00Z", "2027-05-30T11:00:00Z")
    copied = password("cop1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z")
    assert plan(orphan, copied, held={SINK: {"cop1"}}) == (
        [("app.payroll.secret[nightly job#cop1]", "in use")],
        {"orp1": f"no copy in {SINK}: its overlap ended on 2026-12-15", "cop1": "in use"})
    recent = password("cop2", "2026-12-20T12:00:00Z", "2027-06-18T12:00:00Z")
    assert plan(orphan, recent, held={SINK: {"cop2"}})[1] == {
        "orp1": f"no copy in {SINK}: removed on or after 2027-01-03; {SWITCH}", "cop2": "in use"}
    # the vault not read (None): every password counts as copied, and the newest is current
    assert plan(orphan, copied, held={SINK: None})[1] == {"orp1": "superseded: its overlap ended on 2026-12-15",
                                                          "cop1": "in use"}


def test_a_password_with_no_copy_newer_than_the_one_in_use_means_the_secret_moved_back_a_new_one_is_added():
    """Moved to another place and back within the overlap: the old place's copy is in use again, but the newest
    password is read at the other place -- kept for the overlap from now, with a new one added here."""
    back = password("bak1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z")
    other = password("oth1", "2026-12-28T12:00:00Z", "2027-06-26T12:00:00Z")
    assert plan(back, other, held={SINK: {"bak1"}}) == (
        [("app.payroll.secret[nightly job#bak1]", "superseded: removed on or after 2027-01-15"),
         ("app.payroll.secret[nightly job#oth1]", f"no copy in {SINK}: removed on or after 2027-01-15; {SWITCH}"),
         ("app.payroll.secret[Nightly Job#next]", "added now")],
        {"bak1": "superseded: removed on or after 2027-01-15",
         "oth1": f"no copy in {SINK}: removed on or after 2027-01-15; {SWITCH}"})


def test_a_password_of_a_name_the_file_does_not_give_is_not_in_the_file():
    stray = password("str1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z", name="retired job")
    kept = password("kep1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z", name="NIGHTLY JOB")  # any case
    assert plan(stray, kept) == ([("app.payroll.secret[NIGHTLY JOB#kep1]", "in use")],
                                 {"kep1": "in use", "str1": "not in the file"})


def test_live_lists_only_the_passwords_idamconf_added_with_their_moments_in_utc():
    app = {"passwordCredentials": [
        {"displayName": "idamconf:Nightly Job", "keyId": "ABC1-DEF", "hint": "Q7x",
         "startDateTime": "2026-12-01T12:00:00.1234567Z", "endDateTime": "2027-05-30T12:00:00Z"},
        {"displayName": "added in the portal", "keyId": "portal-1", "hint": "Zz9",
         "startDateTime": "2026-12-01T12:00:00Z", "endDateTime": "2027-05-30T12:00:00Z"},
        {"displayName": None, "keyId": "nameless", "hint": "Aa1"},
        {"displayName": "idamconf:undated", "keyId": "u-1", "hint": None}]}
    assert rotation.live(app, "app.payroll", {"id": "object-1"}) == [
        ("secret", "app.payroll.secret[Nightly Job#abc1-def]",
         {"displayName": "Nightly Job", "keyId": "abc1-def", "hint": "Q7x", "startDateTime": "2026-12-01T12:00:00Z",
          "endDateTime": "2027-05-30T12:00:00Z"}, "abc1-def", {"id": "object-1", "keyId": "abc1-def"}),
        ("secret", "app.payroll.secret[undated#u-1]",
         {"displayName": "undated", "keyId": "u-1", "hint": None, "startDateTime": None, "endDateTime": None},
         "u-1", {"id": "object-1", "keyId": "u-1"})]
    assert rotation.live({"passwordCredentials": None}, "app.payroll", {}) == []


def test_only_a_secret_the_file_stopped_naming_needs_allow_delete_to_be_removed():
    def removal(kind, status):
        return rotation.planned_removal(SimpleNamespace(kind=kind, before={"status": status}))

    assert removal("secret", "superseded: its overlap ended on 2027-01-01")
    assert removal("secret", "expired on 2027-01-01")
    assert removal("secret", f"no copy in {SINK}: its overlap ended on 2027-01-01")
    assert not removal("secret", "not in the file") and not removal("secret", None)
    assert not removal("certificate", "expired on 2027-01-01")
    assert not rotation.planned_removal(SimpleNamespace(kind="secret", before=None))


def test_each_secret_of_the_file_is_planned_and_none_forgets_another():
    weekly = ClientSecret("weekly job", VAULT, "weekly-secret", 90, 20, 10)
    current = password("abc1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z")
    assert plan(current, secrets=(NIGHTLY, weekly)) == (
        [("app.payroll.secret[nightly job#abc1]", "in use"), ("app.payroll.secret[weekly job#next]", "added now")],
        {"abc1": "in use"})
    assert plan(current, secrets=(weekly, NIGHTLY)) == (
        [("app.payroll.secret[weekly job#next]", "added now"), ("app.payroll.secret[nightly job#abc1]", "in use")],
        {"abc1": "in use"})


def test_dates_are_utc_days_on_a_machine_fourteen_hours_ahead(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Etc/GMT-14")  # UTC+14: 12:00 UTC is already the next day there
    time.tzset()
    try:
        [new], _ = rotation.planned((NIGHTLY,), "app.payroll", [], {}, NOW)
        current = password("abc1", "2026-08-04T12:00:00Z", "2027-01-31T12:00:00Z")
        assert (new[2]["expires"], plan(current)[1]) == ("2027-06-30",
                                                         {"abc1": "superseded: removed on or after 2027-01-15"})
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_password_with_no_copy_that_starts_in_the_future_is_no_move_back_and_adds_nothing_more():
    """An idamconf-named password made with a startDateTime still to come (Graph takes one; another tool, by hand)
    and no copy here is not a secret moved back: once a new one is added and copied, the plan is settled. Taken for
    a move back, it was newer than every password a plan added, so every plan added one more, and as each plan
    rotated, none of them ever reached the end of its overlap."""
    copied = password("cop1", "2026-12-01T12:00:00Z", "2027-05-30T12:00:00Z")
    future = password("fut1", "2027-03-01T12:00:00Z", "2027-08-28T12:00:00Z")
    assert plan(copied, future, held={SINK: {"cop1"}})[1] == {
        "cop1": "in use", "fut1": f"no copy in {SINK}: its overlap ended on 2026-12-15"}
    added = password("new1", "2027-01-01T12:00:00Z", "2027-06-30T12:00:00Z")
    later = NOW + dt.timedelta(days=1)
    assert plan(added, future, held={SINK: {"new1"}}, now=later) == (
        [("app.payroll.secret[nightly job#new1]", "in use"),
         ("app.payroll.secret[nightly job#fut1]", f"no copy in {SINK}: removed on or after 2027-01-15; {SWITCH}")],
        {"fut1": f"no copy in {SINK}: removed on or after 2027-01-15; {SWITCH}", "new1": "in use"})
