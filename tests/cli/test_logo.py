"""An application's logo: uploaded when the file changes, compared by the marker idamconf keeps on the application
(no logo is downloaded, and plan sends no request for it), put back when replaced by anything else, kept when the
file stops naming it (Graph cannot remove a logo), and never read from outside the configuration directory."""

from __future__ import annotations

import re
import struct
import zlib

import httpx
import pytest

from idamconf.apply_access import StepFailed
from idamconf.apply_logo import _planned_image
from idamconf.config.logo import digest
from idamconf.emulator import Store
from idamconf.emulator.errors import GraphError
from idamconf.emulator.protocol import Reply
from tests.emulator.conftest import serving
from tests.emulator.test_sdk_fidelity import sdk_run

from .harness import applications, apply, edit, faulted, idamconf, plan
from .test_scenarios import converged

PORTAL = "applications/orders-portal.yaml"
IMAGE = "images/orders-portal.png"


def png(red: int) -> bytes:
    """A small valid PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes((red, 90, 160)) * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def logo_in_tenant(project) -> bytes:
    """The portal's logo as Graph serves it, read through the official typed SDK."""
    app_id = applications(project)["orders-portal"]["id"]

    async def read(client):
        return await client.applications.by_application_id(app_id).logo.get()

    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        return sdk_run(emulator.base_url, read)


class Recorded:
    """A fault policy that injects nothing and records every Graph request (batch items included)."""

    def __init__(self, paths: list):
        self.paths = paths

    async def before(self, request):
        self.paths.append(f"{request.method} {request.path}")
        return None

    async def after(self, request, reply):
        return reply


def recording(monkeypatch) -> list[str]:
    paths: list[str] = []
    faulted(monkeypatch, Recorded(paths))
    return paths


def test_a_logo_is_uploaded_then_compared_without_a_request_of_its_own(project, monkeypatch):
    first = apply(project)
    assert first.code == 0 and "\n  + app.orders-portal.logo: uploaded\n" in first.out  # as planned: create
    assert logo_in_tenant(project) == (project / IMAGE).read_bytes()
    tags = applications(project)["orders-portal"]["tags"]
    assert [tag for tag in tags if tag.startswith("idamconf:logo:")] and "idamconf:eucs-idam" in tags
    paths = recording(monkeypatch)
    converged(project)
    with_logo = len(paths)
    assert with_logo and not [path for path in paths if "logo" in path], paths
    edit(project / PORTAL, f"logo: {IMAGE}", "# no logo")  # the file stops naming it: the logo is left alone
    paths.clear()
    converged(project)
    assert len(paths) == with_logo  # the logo costs a plan no request
    assert logo_in_tenant(project) == (project / IMAGE).read_bytes()


@pytest.mark.usefixtures("applied")
def test_a_changed_file_is_uploaded_again_and_other_tag_writes_keep_the_marker(project):
    (project / IMAGE).write_bytes(png(200))
    changed = plan(project)
    assert re.search(rf'~ app.orders-portal.logo  \(update\)\n +sha256 : "[0-9a-f]{{32}}" → "{digest(png(200))}"',
                     changed.out)
    edit(project / PORTAL, "tags: [finance]", "tags: [finance, sales]")
    assert apply(project).code == 0
    converged(project)
    assert logo_in_tenant(project) == png(200)
    edit(project / PORTAL, "tags: [finance, sales]", "tags: [finance]")  # a tags write without an upload
    assert apply(project).code == 0
    converged(project)  # the marker stayed: no upload is planned


@pytest.mark.usefixtures("applied")
def test_a_logo_replaced_outside_idamconf_is_put_back(project):
    app = applications(project)["orders-portal"]
    with serving(Store(project / ".idamconf" / "local.db")) as emulator:
        replaced = httpx.put(f"{emulator.base_url}/applications/{app['id']}/logo", content=png(10),
                             headers={"Content-Type": "image/png", "Authorization": "Bearer test"})
    assert replaced.status_code == 204
    pending = plan(project)
    assert re.search(r'sha256 : "unknown: replaced since idamconf uploaded it" → "[0-9a-f]{32}"', pending.out)
    assert apply(project).code == 0
    converged(project)
    assert logo_in_tenant(project) == (project / IMAGE).read_bytes()


class RefuseMarking:
    """Graph refuses the write of the logo's marker, as if apply had stopped right after the upload."""

    async def before(self, request):
        tags = (request.body or {}).get("tags") if isinstance(request.body, dict) else None
        if request.method == "PATCH" and any(tag.startswith("idamconf:logo:") for tag in tags or []):
            error = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return Reply(403, error.body("test", "test"))
        return None

    async def after(self, request, reply):
        return reply


def test_an_upload_whose_marker_was_not_written_is_uploaded_again(project, monkeypatch):
    faulted(monkeypatch, RefuseMarking())
    failed = apply(project)
    assert failed.code == 1 and "error: app.orders-portal.logo" in failed.err
    monkeypatch.undo()
    assert 'sha256 : "unknown: not uploaded by idamconf" →' in plan(project).out
    assert apply(project).code == 0
    converged(project)


class StaleOnce:
    """The first read of the application after a logo's upload answers from a replica that has not seen it yet: the
    logo URL it had before."""

    def __init__(self, previous: str):
        self.previous, self.uploaded, self.served = previous, False, False

    async def before(self, request):
        self.uploaded |= request.method == "PUT" and request.path.endswith("/logo")
        return None

    async def after(self, request, reply):
        if self.uploaded and not self.served and request.method == "GET" and \
                "info" in request.query.get("$select", "") and isinstance(reply.body, dict):
            self.served = True
            return Reply(reply.status, {**reply.body, "info": {**reply.body["info"], "logoUrl": self.previous}},
                         reply.headers)
        return reply


@pytest.mark.usefixtures("applied")
def test_a_replica_still_showing_the_old_logo_is_read_again_before_the_marker_is_written(project, monkeypatch):
    previous = applications(project)["orders-portal"]["info"]["logoUrl"]
    (project / IMAGE).write_bytes(png(200))
    stale = StaleOnce(previous)
    faulted(monkeypatch, stale)
    assert apply(project).code == 0
    assert stale.served  # the stale answer was given, and apply read again
    monkeypatch.undo()
    converged(project)  # the marker vouches for the URL Graph shows: nothing to upload again
    assert logo_in_tenant(project) == png(200)


def test_a_logo_path_that_is_no_regular_file_is_refused_without_opening_it(project):
    """Only a regular file is read: a directory (or a FIFO, which would block) is said to be no image file."""
    edit(project / PORTAL, f"logo: {IMAGE}", "logo: images")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "logo: no image file 'images' in the configuration directory" in result.err, result.err


def test_apply_uploads_only_the_image_that_was_planned(project):
    planned = {"image": IMAGE, "sha256": digest((project / IMAGE).read_bytes())}
    assert _planned_image(project, planned) == (project / IMAGE).read_bytes()
    (project / IMAGE).write_bytes(png(1))
    with pytest.raises(StepFailed, match="changed since the plan was made"):
        _planned_image(project, planned)
    with pytest.raises(StepFailed, match="outside the configuration directory"):
        _planned_image(project, {**planned, "image": "../outside.png"})


@pytest.mark.usefixtures("applied")
def test_a_planned_upload_to_another_projects_application_is_not_sent(project, monkeypatch):
    from idamconf.plan.model import Action, Change

    from .test_ownership_guard import with_extra_change
    from .test_saved_plan_forgery import foreign_app

    other = foreign_app(project)
    image = {"image": IMAGE, "sha256": digest((project / IMAGE).read_bytes())}
    with_extra_change(monkeypatch, lambda: Change("app.billing.logo", "logo", "billing", Action.CREATE, None, image,
                                                  (), None, {"id": other["id"], "appId": other["appId"]}))
    result = apply(project)
    assert result.code == 1 and "refused before it was sent" in result.err
    store = Store(project / ".idamconf" / "local.db")
    assert store.get("logos", other["id"]) is None
    store.close()
