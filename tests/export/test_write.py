"""The name of each file export writes (export/write.py file_name): the application's `name`, and the file
`<name>.yaml` in the directory asked for -- never a path out of it, never one file for two applications."""

from __future__ import annotations

from idamconf.export.write import file_name


def test_a_name_from_the_tenant_never_leads_out_of_the_directory():
    hostile = {"uniqueName": "../../.github/workflows/x", "displayName": "../../.github/Workflows/X"}
    assert file_name(hostile, set()) == "github-workflows-x"
    assert file_name({"uniqueName": "payroll\n", "displayName": "Payroll"}, set()) == "payroll"  # no line break


def test_applications_of_one_display_name_get_names_of_their_own():
    taken = {"payroll", "payroll-2"}
    assert file_name({"displayName": "Payroll"}, taken) == "payroll-3"
    assert file_name({"uniqueName": "payroll-api", "displayName": "Payroll"}, taken) == "payroll-api"  # Graph's own
