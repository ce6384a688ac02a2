"""An application's logo: PUT and GET of the image's bytes, over HTTP and inside `$batch` (base64), Graph's
read-only `info.logoUrl` that changes with every upload, and the images refused."""

from __future__ import annotations

import base64
import re

import pytest

from idamconf.emulator import logo
from idamconf.graph import limits

from .conftest import assert_error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(64))
GIF = b"GIF89a" + bytes(range(64))
URL = re.compile(r"^https://secure\.aadcdn\.microsoftonline-p\.com/[0-9a-f-]{36}/appbranding/([a-z2-7]+)/1033/"
                 r"bannerlogo\?ts=(\d+)$")


def upload(api, app, image: bytes, content_type: str = "image/png"):
    return api.request("PUT", f"applications/{app['id']}/logo", content=image, headers={"Content-Type": content_type})


def logo_url(api, app) -> str:
    return api.get(f"applications/{app['id']}").json()["info"]["logoUrl"]


@pytest.mark.parametrize("image,content_type", [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"),
                                                (PNG, "application/octet-stream")])
def test_an_uploaded_logo_is_read_back_with_its_type(api, image, content_type):
    app = api.create_app()
    response = upload(api, app, image, content_type)
    assert response.status_code == 204 and response.content == b""
    logo = api.get(f"applications/{app['id']}/logo")
    assert logo.status_code == 200 and logo.content == image
    assert logo.headers["content-type"] == limits.logo_type(image)


def test_logo_url_is_set_and_changes_with_every_upload(api):
    app = api.create_app()
    assert logo_url(api, app) is None
    upload(api, app, PNG)
    first = URL.match(logo_url(api, app))
    assert first, logo_url(api, app)
    upload(api, app, PNG)
    again = URL.match(logo_url(api, app))
    assert again.group(1) == first.group(1) and int(again.group(2)) > int(first.group(2))
    upload(api, app, GIF, "image/gif")
    assert URL.match(logo_url(api, app)).group(1) != first.group(1)
    sp = api.post("servicePrincipals", json={"appId": app["appId"]}).json()
    assert sp["info"]["logoUrl"] == logo_url(api, app)  # the service principal mirrors the application's info
    upload(api, app, PNG)
    assert api.get(f"servicePrincipals/{sp['id']}").json()["info"]["logoUrl"] == logo_url(api, app)


def test_two_uploads_within_one_clock_tick_still_change_the_url(api, monkeypatch):
    monkeypatch.setattr(logo, "_ticks", lambda: 638_000_000_000_000_000)  # a clock that does not move
    app = api.create_app()
    upload(api, app, PNG)
    first = logo_url(api, app)
    upload(api, app, PNG)
    assert logo_url(api, app) != first


def test_logo_url_is_read_only(api):
    app = api.create_app()
    upload(api, app, PNG)
    current = logo_url(api, app)
    assert_error(api.patch(f"applications/{app['id']}", json={"info": {"logoUrl": "https://x.example/a.png"}}), 400)
    assert api.patch(f"applications/{app['id']}", json={"info": {"logoUrl": current, "supportUrl":
                                                                 "https://contoso.com/help"}}).status_code == 204
    assert logo_url(api, app) == current


@pytest.mark.parametrize("image,content_type", [
    (b"", "image/png"), (b"not an image at all", "image/png"), (b"BM" + bytes(64), "image/bmp"),
    (JPEG, "image/png"), (PNG + bytes(limits.LOGO_BYTES), "image/png")])
def test_images_graph_refuses(api, image, content_type):
    app = api.create_app()
    error = assert_error(upload(api, app, image, content_type), 400, "Request_BadRequest")
    assert error["message"].startswith("Invalid value specified for property 'logo' of resource 'Application'")
    assert logo_url(api, app) is None
    assert_error(api.get(f"applications/{app['id']}/logo"), 404, "Request_ResourceNotFound")


def test_a_logo_of_exactly_the_limit_is_accepted(api):
    app = api.create_app()
    image = PNG + bytes(limits.LOGO_BYTES - len(PNG))
    assert upload(api, app, image).status_code == 204


def test_a_json_body_is_not_a_logo_and_a_logo_cannot_be_deleted(api):
    app = api.create_app()
    assert_error(api.request("PUT", f"applications/{app['id']}/logo", json={"logo": "x"}), 400)
    upload(api, app, PNG)
    assert_error(api.delete(f"applications/{app['id']}/logo"), 405)
    assert api.get(f"applications/{app['id']}/logo").content == PNG


def test_a_logo_goes_with_its_application(api):
    """Into deleted items and back with a restore; gone when the deleted item is (emulator/deleted.py)."""
    app = api.create_app()
    upload(api, app, PNG)
    api.delete(f"applications/{app['id']}")
    assert_error(api.request("PUT", f"applications/{app['id']}/logo", content=PNG,
                             headers={"Content-Type": "image/png"}), 404)
    api.post(f"directory/deletedItems/{app['id']}/restore")
    assert api.get(f"applications/{app['id']}/logo").content == PNG
    api.delete(f"applications/{app['id']}")
    api.delete(f"directory/deletedItems/{app['id']}")
    assert api.store.get("logos", app["id"], primary=True) is None


def test_logos_in_batch_are_base64_both_ways(api):
    app = api.create_app()
    path = f"/applications/{app['id']}/logo"
    batch = api.post("$batch", json={"requests": [
        {"id": "1", "method": "PUT", "url": path, "headers": {"Content-Type": "image/gif"},
         "body": base64.urlsafe_b64encode(GIF).decode().rstrip("=")},
        {"id": "2", "method": "GET", "url": path, "dependsOn": ["1"]}]})
    assert batch.status_code == 200, batch.text
    responses = {r["id"]: r for r in batch.json()["responses"]}
    assert responses["1"]["status"] == 204 and "body" not in responses["1"]
    assert responses["2"]["headers"]["Content-Type"] == "image/gif"
    assert base64.b64decode(responses["2"]["body"]) == GIF


def test_a_batch_body_that_is_not_base64_is_refused_whole(api):
    app = api.create_app()
    batch = api.post("$batch", json={"requests": [
        {"id": "1", "method": "PUT", "url": f"/applications/{app['id']}/logo",
         "headers": {"Content-Type": "image/png"}, "body": "%%% not base64 %%%"}]})
    assert_error(batch, 400, "Request_BadRequest")
    assert logo_url(api, app) is None
