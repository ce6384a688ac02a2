from __future__ import annotations

import asyncio
from pathlib import Path

from ..plan.render_human import render_plan
from .session import fresh_plan, use_colour


def run(config_dir: Path, env: str | None, detailed_exitcode: bool, colour: bool | None) -> int:
    plan, target, _ = asyncio.run(fresh_plan(config_dir, env))
    print(render_plan(plan, f"{target.environment} — {target.description}", use_colour(colour)), end="")
    return 2 if detailed_exitcode and not plan.empty else 0
