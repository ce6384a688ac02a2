"""Graph's URL paths split into segments, for the emulator's routing and the cost table alike.

A "/" inside parentheses or a quoted key does not split: `applications(uniqueName='a/b')/owners` is two segments.
One pass, a character at a time: a quote opens or closes a string (so `''` inside one reads as a quote), and nothing
is ever looked at twice, whatever the path. (A regular expression with a quoted-string alternative used to try every
way of reading each `''`: a key of 20 unclosed pairs took seconds, doubling with each pair.)
"""

from __future__ import annotations


def segments(path: str) -> list[str]:
    """`applications(appId='x')/owners` -> ["applications(appId='x')", "owners"]; empty segments are dropped."""
    found, start, depth, quoted = [], 0, 0, False
    for index, char in enumerate(path):
        if quoted:
            quoted = char != "'"
        elif char == "'" and depth:
            quoted = True
        elif char in "()":
            depth = max(depth + (1 if char == "(" else -1), 0)
        elif char == "/" and not depth:
            found.append(path[start:index])
            start = index + 1
    found.append(path[start:])
    return [segment for segment in found if segment]
