"""Apply's restore of an application, and then of its service principal, from deleted items (plan/restore.py).

`POST directory/deletedItems/{id}/restore` answers 404 when the item is not there. That says nothing of why, so the
tenant is read: the object live by its id means it is back already -- the restore's answer was lost, an apply cut
short after it, someone restored it by hand -- and the chain goes on to the update; not live (once replication has
had its settle time to show a restore) means it was deleted for good, or its 30 days ran out, since the plan: the
chain stops with nothing changed, and the next plan creates what the file names instead (its name is free then).
"""

from __future__ import annotations

from .apply_access import StepFailed
from .graph.client import query
from .plan.model import Change
from .plan.restore import deleted_item

LIVE = {"application": ("applications", "application"), "service_principal": ("servicePrincipals",
                                                                                "service principal")}


async def restore(chain, change: Change) -> None:
    item = deleted_item(change)
    response = await chain.send("POST", f"directory/deletedItems/{item}/restore", ok_if=lambda r: r.status == 404,
                                settle=False)
    if response.ok:
        return
    entity_set, what = LIVE[change.kind]
    # only "not found" says it is gone: another refusal (a permission, a throttle retried out) is Graph's own answer
    live = await chain.send("GET", query(f"{entity_set}/{item}", select="id"), ok_if=lambda r: r.status == 404,
                            settle=True)
    if not live.ok:
        raise StepFailed(f"{what} {item} is no longer in deleted items, nor back in the directory: it was deleted for "
                         f"good, or its 30 days ran out, since the plan; nothing was changed -- run plan again (it "
                         f"will create the {what} anew)", change)
