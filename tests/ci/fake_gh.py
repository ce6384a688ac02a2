"""A fake `gh` for the example workflows' steps: the pull-request comments, the drift issues and the pull request
of a commit, kept in a JSON file (FAKE_GITHUB). It answers the exact calls the workflows make, as GitHub would --
a comment over 65,536 characters is refused, as GitHub refuses it -- and fails on any other."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

STATE = Path(os.environ["FAKE_GITHUB"])
BOT = "github-actions[bot]"
LIMIT = 65_536


def main(args: list[str]) -> int:
    state = {"comments": {}, "issues": [], "pulls": {}} | (json.loads(STATE.read_text()) if STATE.exists() else {})
    code = (_api if args[0] == "api" else _issue if args[0] == "issue" else _label)(args[1:], state)
    written = STATE.with_name(f"{STATE.name}.{os.getpid()}")  # whole, by rename: a matrix's jobs call gh side by side
    written.write_text(json.dumps(state, indent=1))
    os.replace(written, STATE)
    return code


def _option(args: list[str], name: str, default=None):
    return args[args.index(name) + 1] if name in args else default


def _api(args: list[str], state: dict) -> int:
    method = _option(args, "--method", "GET")
    path = next(arg for arg in args if arg.startswith("repos/"))
    if match := re.fullmatch(r"repos/[^/]+/[^/]+/issues/(\d+)/comments", path):
        comments = state["comments"].setdefault(match.group(1), [])
        if method == "GET":
            login, marker = re.search(r'\.user\.login == "([^"]+)" and \(\.body \| startswith\("([^"]+)"\)\)',
                                      _option(args, "--jq")).groups()
            print("\n".join(str(c["id"]) for c in comments if c["user"]["login"] == login
                            and c["body"].startswith(marker)))
            return 0
        return _write(comments, None, _body(args), state)
    if match := re.fullmatch(r"repos/[^/]+/[^/]+/issues/comments/(\d+)", path):
        assert method == "PATCH", method
        found = [c for comments in state["comments"].values() for c in comments if c["id"] == int(match.group(1))]
        return _write(None, found[0], _body(args), state)
    if match := re.fullmatch(r"repos/[^/]+/[^/]+/actions/caches\?ref=([^&]+)&key=([^&]+)", path):
        assert method == "GET" and _option(args, "--jq") == ".total_count", args  # (a prefix of the key, as GitHub)
        print(sum(1 for cache in state.get("caches", []) if cache["ref"] == match.group(1)
                  and cache["key"].startswith(match.group(2))))
        return 0
    if match := re.fullmatch(r"repos/[^/]+/[^/]+/commits/([0-9a-f]+)/pulls", path):
        assert _option(args, "--jq") == ".[0].html_url // empty"
        print(state["pulls"].get(match.group(1), ""))
        return 0
    raise AssertionError(f"fake gh: unexpected gh api {args}")


def _body(args: list[str]) -> str:
    value = _option(args, "-F")
    assert value.startswith("body=@"), value
    return Path(value.removeprefix("body=@")).read_text(encoding="utf-8")


def _write(comments: list | None, comment: dict | None, body: str, state: dict) -> int:
    if len(body) > LIMIT:  # as GitHub answers: 422, "Body is too long (maximum is 65536 characters)"
        print("gh: Validation Failed: body is too long (maximum is 65536 characters) (HTTP 422)", file=sys.stderr)
        return 1
    if comment is not None:
        comment["body"], comment["edits"] = body, comment.get("edits", 0) + 1
    else:
        state["next"] = state.get("next", 100) + 1
        comments.append({"id": state["next"], "user": {"login": BOT}, "body": body})
    return 0


def _issue(args: list[str], state: dict) -> int:
    verb, issues = args[0], state["issues"]
    if verb == "list":
        title = re.search(r'select\(\.title == "([^"]+)"\)', _option(args, "--jq")).group(1)
        print("\n".join(str(i["number"]) for i in issues if i["state"] == "open" and i["title"] == title
                        and _option(args, "--label") in i["labels"]))
    elif verb == "create":
        issues.append({"number": len(issues) + 1, "title": _option(args, "--title"), "state": "open",
                       "labels": [_option(args, "--label")], "body": Path(_option(args, "--body-file")).read_text()})
    elif verb == "edit":
        _numbered(issues, args[1])["body"] = Path(_option(args, "--body-file")).read_text()
    elif verb == "close":
        _numbered(issues, args[1])["state"] = "closed"
    else:
        raise AssertionError(f"fake gh: unexpected gh issue {args}")
    return 0


def _numbered(issues: list, number: str) -> dict:
    return next(issue for issue in issues if issue["number"] == int(number))


def _label(args: list[str], state: dict) -> int:
    assert args[0] == "create", args
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
