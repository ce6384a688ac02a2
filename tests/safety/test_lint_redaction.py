"""lint never prints a value held under a secret key -- wherever it is (nested in mappings and lists, inside a role)
and whoever's message would quote it: validate's own diagnostics, quoting a bad value elsewhere, are redacted too.
Empty and yes/no values under secret-named keys hold no secret and are not reported."""

from __future__ import annotations

import json

import pytest

from tests.cli.harness import edit, idamconf

BLOG = "applications/wordpress.yaml"
FIRST, SECOND = "hunter2-Sup3rS3cret", "c0rrect-h0rse-battery"


def test_secrets_quoted_by_other_messages_are_redacted(project):
    edit(project / BLOG, "signInAudience: AzureADMyOrg", f"signInAudience: {FIRST}\nclientSecret:\n  prod: [{FIRST}]")
    edit(project / BLOG, "    value: Blog.Writer\n", f"    value: Blog.Writer\n    apiKey: {SECOND}\n"
         f"    allowedMemberTypes: [{SECOND}]\n")
    for output in ("human", "sarif"):
        result = idamconf("lint", "-C", str(project), "--format", output)
        assert result.code == 1
        shown = result.out + result.err
        assert FIRST not in shown and SECOND not in shown
        assert "[redacted]" in result.out and "is not one of User, Application" in result.out
    human = idamconf("lint", "-C", str(project)).out
    assert "signInAudience: '[redacted]' is not one of" in human
    assert "'[redacted]' is not one of User, Application" in human
    sarif = json.loads(idamconf("lint", "-C", str(project), "--format", "sarif").out)
    assert sorted(r["message"]["text"].split(" holds")[0] for r in sarif["runs"][0]["results"]
                  if r["ruleId"] == "security.secret-in-file") == ["'clientSecret'", "appRoles\\[1\\]: 'apiKey'"]


def test_empty_and_yes_no_values_under_secret_names_are_no_secret(project):
    edit(project / BLOG, "signInAudience: AzureADMyOrg",
         "signInAudience: AzureADMyOrg\npassword: ''\nclientSecret: false\napiKey: []\n")
    result = idamconf("lint", "-C", str(project))
    assert "[security.secret-in-file]" not in result.out  # no finding (a broken file's summary names the rule)


def test_a_secret_written_where_a_variables_name_belongs_is_redacted_wherever_quoted(project):
    """`clientSecretEnv` names a variable; a value that is no variable's name is the secret itself."""
    edit(project / BLOG, "signInAudience: AzureADMyOrg", f"signInAudience: {FIRST}\nclientSecretEnv: {FIRST}")
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert FIRST not in result.out + result.err
    assert "signInAudience: '[redacted]' is not one of" in result.out


def test_the_declared_secrets_names_are_not_secrets_and_are_shown(project):
    """An application's `secrets:` list says where idamconf keeps the values it makes: its names are no secret."""
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: expenses-client-secret")
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert "signInAudience: 'expenses-client-secret' is not one of" in result.out


def _quoted_by_validate(project, secret: str, *beside: str):
    """lint's output with `secret` held under a secret key and quoted by validate's message about signInAudience."""
    held = "".join(f"\n{line}" for line in beside)
    edit(project / BLOG, "signInAudience: AzureADMyOrg",
         f"signInAudience: {json.dumps(secret)}\npassword: {json.dumps(secret)}{held}")
    return idamconf("lint", "-C", str(project))


def test_a_secret_of_eight_characters_that_is_no_plain_word_is_redacted(project):
    secret = "hunter2!"  # a digit and a symbol: no word of idamconf's own
    result = _quoted_by_validate(project, secret)
    assert result.code == 1
    assert "signInAudience: '[redacted]' is not one of" in result.out
    assert secret not in result.out + result.err


def test_a_secret_of_sixteen_letters_is_redacted(project):
    secret = "correcthorsebatt"  # letters only, but longer than any placeholder word
    result = _quoted_by_validate(project, secret)
    assert "signInAudience: '[redacted]' is not one of" in result.out
    assert secret not in result.out + result.err


def test_a_secret_inside_a_longer_one_leaves_no_part_of_the_longer_shown(project):
    """Both are held under secret keys; the longer is quoted: redacting the shorter first would leave its tail."""
    shorter, longer = "Tr0ub4dor&3x", "Tr0ub4dor&3x-canary-9y7"
    result = _quoted_by_validate(project, longer, f"apiKey: {json.dumps(shorter)}")
    assert "signInAudience: '[redacted]' is not one of" in result.out
    assert "canary-9y7" not in result.out + result.err


def test_a_secret_inside_a_longer_word_of_the_output_leaves_that_word_whole(project):
    """Redacted where it stands whole: a word that merely starts with it is another value, shown as it is."""
    edit(project / BLOG, "signInAudience: AzureADMyOrg", "signInAudience: Blog.Writers\npassword: Blog.Writer")
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert "signInAudience: 'Blog.Writers' is not one of" in result.out


@pytest.mark.parametrize("output", ["human", "github", "sarif"])
def test_a_secret_quoted_by_a_finding_is_redacted_as_each_format_escapes_it(project, output):
    """A key named like a secret whose name is another key's secret value: lint's own finding quotes that key, and
    each format escapes it its own way (`%` and `:` in an annotation, `[` in SARIF) -- redacted in every form."""
    secret = "Sup3r[S3cr%t]:x,apikey"
    edit(project / BLOG, "signInAudience: AzureADMyOrg",
         f"signInAudience: AzureADMyOrg\npassword: {json.dumps(secret)}\n{json.dumps(secret)}: Zq9-ordinary-v4lue")
    result = idamconf("lint", "-C", str(project), "--format", output)
    assert result.code == 1
    assert "[redacted]" in result.out
    assert "S3cr" not in result.out + result.err


def test_a_secret_holding_markdown_is_redacted_however_sarif_escapes_it(project):
    """SARIF escapes a message's Markdown (a backslash before '_' and '*', a zero-width space after '<' and '&', a
    last backslash doubled): a secret quoted there is still found, and redacted, in that form."""
    secret = 'h_*nter2<b>&amp;x\\'
    quoted = secret.replace("\\", "\\\\")
    edit(project / BLOG, "signInAudience: AzureADMyOrg", f'signInAudience: "{quoted}"\nclientSecret: "{quoted}"')
    for output in ("human", "github", "sarif"):
        result = idamconf("lint", "-C", str(project), "--format", output)
        assert result.code == 1 and "nter2" not in result.out + result.err and "[redacted]" in result.out
