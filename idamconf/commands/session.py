"""What plan and apply share: load the configuration, pick the target, connect, and make a fresh plan."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..config.load import load_configuration
from ..graph.connect import connect
from ..workflow import plan, target_for


def use_colour(requested: bool | None) -> bool:
    if requested is not None:
        return requested
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


async def fresh_plan(config_dir: Path, env: str | None, then=None):
    """Plan against the environment; `then(client, plan, target)` runs on the same connection if given."""
    configuration = load_configuration(config_dir)
    target = target_for(configuration, env)
    async with connect(target) as client:
        result = await plan(client, configuration, target)
        if then is None:
            return result, target, client.requests
        return await then(client, result, target)
