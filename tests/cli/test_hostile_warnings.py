"""The plan's warnings carry names from the tenant (record/history.py: an application this configuration never
declared, by its uniqueName), and are escaped for the terminal like every other value: a hostile uniqueName neither
writes the clipboard, nor reorders the line, nor hides the deletion it warns about."""

from __future__ import annotations

import pytest

from .harness import plan
from .test_deletion_provenance import STRANGER

HOSTILE = "stranger\x1b]52;c;ZWNobyBwd25lZA==\x07\u202e"


@pytest.mark.usefixtures("applied")
def test_a_hostile_name_in_a_deletions_warning_is_shown_escaped(project):
    from idamconf.emulator import Store
    from idamconf.emulator.directory import _new_application

    store = Store(project / ".idamconf" / "local.db")
    with store.transaction():
        _new_application(store, {**STRANGER, "uniqueName": HOSTILE})
    store.close()
    result = plan(project)
    assert result.code == 0, result.err
    shown = "stranger\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\u202e"
    assert f"WARNING: this plan deletes app.{shown}; whether this configuration ever declared" in result.out
    assert f"  - app.{shown}  (destroy)" in result.out
    assert not any(character in result.out for character in "\x1b\x07\u202e")
