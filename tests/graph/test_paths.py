"""Graph's URL paths in segments (graph/paths.py), as the emulator routes them, the cost table charges them and
graph/permissions.py finds the permission a request needs: a key never splits, whatever its value holds."""

from __future__ import annotations

from idamconf.graph.paths import segments


def test_a_slash_inside_a_key_does_not_split_the_path():
    assert segments("/v1.0/applications(uniqueName='a/b')/owners") == [
        "v1.0", "applications(uniqueName='a/b')", "owners"]


def test_a_parenthesis_or_doubled_quote_inside_a_quoted_key_is_part_of_the_key():
    assert segments("applications(uniqueName='x)/y')/owners") == ["applications(uniqueName='x)/y')", "owners"]
    assert segments("applications(uniqueName='it''s/(a')/owners") == ["applications(uniqueName='it''s/(a')", "owners"]


def test_a_stray_closing_parenthesis_does_not_hide_the_slashes_after_it():
    assert segments("a)/b/c") == ["a)", "b", "c"]


def test_a_slash_inside_parentheses_does_not_split_the_path_though_unquoted():
    assert segments("applications(appId=a/b)/owners") == ["applications(appId=a/b)", "owners"]
