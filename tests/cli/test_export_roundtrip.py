"""Round trip, as a property: random tenants of applications made elsewhere (some with odd but legal values) are
exported, adopted, and then planned with no changes; applying again changes nothing. A failing case shrinks to a
minimal tenant."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import apply, idamconf, plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
USERS = ["alice.admin@contoso.com", "bob.ops@contoso.com", "carol.hr@contoso.com", "dave.finance@contoso.com"]
URIS = ["https://a.contoso.com/signin", "https://b.contoso.com/callback", "https://c.contoso.com/"]
ROLE_VALUES = ["Reader", "Writer", "Admin.All", "x:y"]
NAMES = st.text(alphabet="abcdefghij KLMNO-éü_.()", min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@st.composite
def roles(draw):
    values = draw(st.lists(st.sampled_from(ROLE_VALUES), unique=True, max_size=3))
    return [{"id": str(draw(st.uuids(version=4))), "value": value, "displayName": draw(NAMES),
             "description": draw(st.one_of(st.none(), NAMES)),
             "allowedMemberTypes": draw(st.sampled_from([["User"], ["Application"], ["User", "Application"]])),
             "isEnabled": draw(st.booleans())} for value in values]


@st.composite
def application(draw, name: str):
    app = {"displayName": name, "owners": draw(st.lists(st.sampled_from(USERS), unique=True, min_size=1, max_size=3)),
           "web": {"redirectUris": draw(st.lists(st.sampled_from(URIS), unique=True))},
           "tags": draw(st.lists(st.sampled_from(["alpha", "beta", "Business unit: HR"]), unique=True)),
           "appRoles": draw(roles())}
    if draw(st.booleans()):
        app["notes"] = draw(NAMES)
    if draw(st.booleans()):
        app["servicePrincipal"] = {"appRoleAssignmentRequired": draw(st.booleans()),
                                   "tags": draw(st.lists(st.sampled_from(["HideApp", "team:x"]), unique=True))}
    return app


@st.composite
def tenants(draw):
    names = draw(st.lists(NAMES, unique_by=str.lower, min_size=1, max_size=3))
    return [draw(application(name)) for name in names]


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(tenants())
def test_export_adopt_then_nothing_to_do(apps):
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory) / "config"
        shutil.copytree(EXAMPLES, project, ignore=shutil.ignore_patterns(".idamconf", "ci"))
        for path in (project / "applications").glob("*.yaml"):
            path.unlink()
        seed = yaml.safe_load((project / "emulator" / "directory.yaml").read_text())
        seed["applications"] = apps
        (project / "emulator" / "directory.yaml").write_text(yaml.safe_dump(seed, allow_unicode=True))
        assert plan(project).code == 0  # seeds the tenant: nothing to manage yet
        exported = idamconf("export", "-C", str(project), "--all")
        assert exported.code == 0, exported.err
        adopting = plan(project)
        assert adopting.code == 0, adopting.err
        assert adopting.out.count("(adopt: an existing application") == len(apps)
        created = [line for line in adopting.out.splitlines() if line.endswith("(create)")]
        # never a second application; what an application made without its enterprise application lacks is made
        assert all(".service_principal" in line for line in created), created
        assert apply(project).code == 0
        again = plan(project, "--detailed-exitcode")
        assert again.code == 0, again.out
        assert "No changes" in apply(project).out
