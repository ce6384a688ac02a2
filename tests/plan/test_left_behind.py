"""A package an apply of the project began to take apart, or to make, is found by what it says of itself
(plan/left_behind.py): only when the saying is exactly the project's, names an application, and the package grants
nothing and has no policy -- an empty shell holding nobody's access. Anything else is left to the rest of the plan."""

from __future__ import annotations

import pytest

from idamconf.plan.governance import package_attributes
from idamconf.plan.left_behind import add_left_behind, application_of, description, is_shell, making
from idamconf.plan.model import Action, Change, Resource

CATALOG = {"id": "cat-1", "displayName": "EUCS IDAM applications"}


def shell(text: str, **more) -> dict:
    return {"id": "pkg-1", "displayName": "eucs-idam-wordpress-writers", "description": text, "isHidden": False,
            "catalog": CATALOG, "resourceRoleScopes": [], **more}


@pytest.mark.parametrize("saying", [description, making])
def test_the_saying_names_the_project_and_the_application(saying):
    text = saying("eucs-idam", "wordpress")
    assert application_of(shell(text), "eucs-idam") == "wordpress"
    assert application_of(shell(text), "other") is None  # another project's: not this plan's
    assert application_of(shell(text[:-1]), "eucs-idam") is None  # cut short
    assert application_of(shell(text + " Kept."), "eucs-idam") is None
    assert application_of(shell(None), "eucs-idam") is None
    assert application_of(shell(text.replace(" is ", " is not ")), "eucs-idam") is None


def test_the_two_sayings_differ():
    assert making("eucs-idam", "wordpress") == "idamconf (eucs-idam) is making this access package of application " \
                                               "wordpress."
    assert description("eucs-idam", "wordpress") != making("eucs-idam", "wordpress")


@pytest.mark.parametrize("saying", [description, making])
@pytest.mark.parametrize("application", ["Wordpress", "word press", "-wordpress", "wordpress\n", ""])
def test_a_saying_naming_no_application_key_is_nobodys(application, saying):
    assert application_of(shell(saying("eucs-idam", application)), "eucs-idam") is None


@pytest.mark.parametrize("saying", [description, making])
def test_an_empty_shell_is_planned_for_deletion_under_its_application(saying):
    found: dict = {}
    package = shell(saying("eucs-idam", "wordpress"))
    assert add_left_behind(found, package, [], "EUCS IDAM applications", "eucs-idam", {})
    [(key, resource)] = found.items()
    assert key[0] == "wordpress" and resource.kind == "access_package"
    assert resource.address == "app.wordpress.access_package[left behind pkg-1]"
    assert resource.ids == {"packageId": "pkg-1", "catalogId": "cat-1", "catalog": "EUCS IDAM applications",
                            "leftBehind": True}
    assert resource.attributes["displayName"] == "eucs-idam-wordpress-writers"
    gone = Change(resource.address, "access_package", "wordpress", Action.DELETE, resource.attributes, None,
                  ids=resource.ids)
    assert is_shell(gone)  # its deletion takes nothing away (plan/removals.py)
    assert not is_shell(Change("app.wordpress.role.Blog.Writer.access_package", "access_package", "wordpress",
                               Action.DELETE, resource.attributes, None, ids={"packageId": "pkg-1"}))


@pytest.mark.parametrize("why", ["grants", "policy", "catalog not read", "another project"])
def test_a_package_that_is_not_an_empty_shell_of_the_project_is_left_alone(why):
    package = shell(description("other" if why == "another project" else "eucs-idam", "wordpress"),
                    resourceRoleScopes=[{"id": "s"}] if why == "grants" else [])
    found: dict = {}
    assert not add_left_behind(found, package, [{"id": "p"}] if why == "policy" else [],
                               None if why == "catalog not read" else "EUCS IDAM applications", "eucs-idam", {})
    assert found == {}


@pytest.mark.parametrize("catalog, taken", [("eucs idam APPLICATIONS", True), ("Another catalog", False)])
def test_a_shell_the_configuration_wants_again_by_name_in_its_catalog_is_left_for_apply_to_take(catalog, taken):
    wanted = Resource("access_package", "app.wordpress.role.Blog.Writer.access_package", "wordpress",
                      package_attributes("EUCS-IDAM-wordpress-writers", "Grants.", catalog, False))
    found: dict = {}
    added = add_left_behind(found, shell(description("eucs-idam", "wordpress")), [], "EUCS IDAM applications",
                            "eucs-idam", {("wordpress", 0, "access_package", "x"): wanted})
    assert added is not taken and bool(found) is not taken


@pytest.mark.parametrize("scopes, project, taken", [
    ([{"role": {"originId": "Member_2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"}}], "eucs-idam", True),
    ([{"role": {"originId": "Member_2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"}},
      {"role": {"originId": "0e7b1c4e-0000-4000-8000-000000000001"}}], "eucs-idam", False),  # found by its role
    ([], "eucs-idam", False),  # an empty shell: add_left_behind's
    ([{"role": {"originId": "Member_2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"}}], "other", False),
    ([{"role": {"originId": "Member_2b7d3c4e-5f60-4a1b-8c2d-3e4f5a6b0002"}}], None, False),
])
def test_a_package_of_its_own_left_granting_only_groups_is_taken_by_what_it_says(scopes, project, taken):
    from idamconf.plan.packages import OwnPackages

    own = OwnPackages({}, {}, {}, {"cat-1": "EUCS IDAM applications"}, project)
    package = shell(description("eucs-idam", "expenses"), resourceRoleScopes=scopes)
    assert own._taken_apart(package) == ("expenses" if taken else None)
