"""Secrets are recognised by their shape wherever they are pasted (an Entra client secret, a private key, a JWT, a
connection string), not only by the key they sit under; they are reported and never printed. An ordinary word is
never taken for one, and never redacted from lint's output because a placeholder such as `password: secret` was
written somewhere (lint's own "[security.secret-in-file] ... holds a secret" came out as "[security.[redacted]...")."""

from __future__ import annotations

import json

import pytest

from idamconf.config.secrets import secret_shape, worth_redacting
from tests.cli.harness import edit, idamconf

BLOG = "applications/wordpress.yaml"
ENTRA_SECRET = "Zq18Q~" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z0-._~"[:34]
JWT = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJhcGk6Ly9pZGFtY29uZiIsImlzcyI6Imh0dHBzOi8vc3RzIn0."
       "c2lnbmF0dXJlLW5vdC1hLXJlYWwtb25l")
SHAPED = {
    "an Entra client secret": ENTRA_SECRET,
    "a private key": "-----BEGIN RSA PRIVATE KEY----- MIIEowIBAAKCAQEAx",
    "a JWT (a token)": f"Bearer {JWT}",
    "a connection string": "DefaultEndpointsProtocol=https;AccountName=blog;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;"
                           "EndpointSuffix=core.windows.net",
    "a URL with a password": "postgres://wp:S3cr3tPassw0rd@db.contoso.com/blog",
}
ALSO_SHAPED = ["Server=tcp:sql.contoso.com;Database=blog;User ID=wp;Password=Hunter2!x;",
               "-----BEGIN OPENSSH PRIVATE KEY-----",
               "-----BEGIN ENCRYPTED PRIVATE KEY-----"]
ORDINARY = ["secret", "The organisation's secret santa list", "Reset a forgotten password; see the wiki",
            "Password=reset flow", "eyJ is how a JWT starts", "https://blog.contoso.com/wp-login.php",
            "api://eucs-idam-wordpress", "Zq18Q~short", "-----BEGIN CERTIFICATE-----", "Blog.Administrator",
            "Server=sql.contoso.com;Database=blog", "token"]


@pytest.mark.parametrize("kind,value", SHAPED.items())
def test_each_shape_is_recognised(kind, value):
    assert secret_shape(value) == kind
    assert secret_shape(f"pasted here: {value} (by mistake)") == kind


@pytest.mark.parametrize("value", ALSO_SHAPED)
def test_other_forms_of_the_shapes_are_recognised(value):
    assert secret_shape(value)


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_text_is_no_secret(value):
    assert secret_shape(value) is None


@pytest.mark.parametrize("filler", ["a", "a;", "Q~", "eyJ", "a://", "a:b@", "-----BEGIN "])
def test_a_long_value_is_searched_in_one_pass(filler):
    """A description may be a megabyte long (validate refuses it, lint reads it): searching it takes no longer than
    reading it, whatever it repeats. Measured in the process's CPU time (about 20 ms at most here; a search that
    backtracks takes many seconds), not on the clock, which a loaded machine or a mutation run stretches past any
    bound."""
    import time

    started = time.process_time()
    assert secret_shape(filler * (200_000 // len(filler))) is None
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("kind,value", SHAPED.items())
def test_a_secret_pasted_in_a_description_is_an_error_never_printed(project, kind, value):
    edit(project / BLOG, "description: The organisation's public blog.",
         f"description: {json.dumps('The blog; key ' + value)}\n# was:")
    for output in ("human", "sarif"):
        result = idamconf("lint", "-C", str(project), "--format", output)
        assert result.code == 1, result.out + result.err
        assert value not in result.out + result.err and value[:20] not in result.out + result.err
        assert "security.secret-in-file" in result.out
    human = idamconf("lint", "-C", str(project)).out
    assert f"error: [security.secret-in-file] 'description' holds a secret in the file (what looks like {kind})" \
           in human
    validated = idamconf("validate", "-C", str(project))  # valid: a description may say anything but a secret
    assert value not in validated.out + validated.err


def test_a_secret_shaped_value_the_schema_refuses_is_not_repeated(project):
    edit(project / BLOG, "signInAudience: AzureADMyOrg", f"signInAudience: {ENTRA_SECRET}")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1
    assert "signInAudience: the value (not shown: it may be a secret) is not one of" in result.err
    assert ENTRA_SECRET not in result.err


def test_a_uri_with_a_password_that_a_tenant_would_refuse_is_refused_unquoted(project):
    """validate's tenant rules quote the identifier URI they refuse -- unless it is shaped like a secret."""
    uri = "https://wp:S3cr3tPassw0rd@blog.example.org/api/"
    edit(project / BLOG, "  - api://{appId}               # the application's own id: works in every tenant",
         f"  - {uri}")
    result = idamconf("validate", "-C", str(project))
    assert result.code == 1 and "identifierUris[0]" in result.err
    assert "identifier URI the value (not shown: it may be a secret)" in result.err
    assert "S3cr3tPassw0rd" not in result.out + result.err


def test_a_placeholder_under_a_secret_key_redacts_nothing_else(project):
    edit(project / BLOG, "displayName: WordPress Blog", "displayName: secret\npassword: secret")
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert "[redacted]" not in result.out + result.err
    assert "error: [security.secret-in-file] 'password' holds a secret in the file; secrets live only in the vault" \
           in result.out
    assert "rotate the secret" in result.out


def test_a_real_secret_under_a_secret_key_is_still_redacted_wherever_quoted(project):
    secret = "Tr0ub4dor&3-canary"
    edit(project / BLOG, "displayName: WordPress Blog", f"displayName: {json.dumps(secret)}\npassword: {secret}")
    result = idamconf("lint", "-C", str(project))
    assert secret not in result.out + result.err
    assert worth_redacting(secret) and not worth_redacting("secret") and not worth_redacting("changeme")


def test_a_credential_of_sixteen_characters_is_recognised(project):
    """Values under 16 characters are never searched (a plain word is never taken for a secret); a URL with a
    password of 16 is one."""
    value = "ftp://u:pw@h.io/"
    assert len(value) == 16
    edit(project / BLOG, "description: The organisation's public blog.", f"description: {json.dumps(value)}\n# was:")
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1
    assert "'description' holds a secret in the file (what looks like a URL with a password)" in result.out
    assert value not in result.out + result.err


@pytest.mark.parametrize("old, new", [("tags: [communications, public-facing]",
                                       "tags: [communications, public-facing, {value}]"),
                                      ("    - https://blog.contoso.com/wp-admin/",
                                       "    - https://blog.contoso.com/wp-admin/?t={value}")])
def test_a_secret_in_a_list_is_found_too_and_never_printed(project, tmp_path, old, new):
    """A tag or a redirect URI holding a secret: lint looks inside lists as it does inside mappings, and the
    pull request's comment, which hides what lint found, hides it too."""
    value = SHAPED["an Entra client secret"]
    edit(project / BLOG, old, new.format(value=value))
    result = idamconf("lint", "-C", str(project))
    assert result.code == 1 and "security.secret-in-file" in result.out, result.out + result.err
    assert value not in result.out + result.err
    plans = tmp_path / "plans"
    plans.mkdir()
    commented = idamconf("comment", "-C", str(project), "--plans", str(plans), "--environment", "local")
    assert value not in commented.out + commented.err
    planned = idamconf("plan", "-C", str(project))  # nor written to the tenant (plan/secrets_written.py)
    assert planned.code == 1 and "holds what looks like an Entra client secret" in planned.err
    assert value not in planned.out + planned.err


@pytest.mark.parametrize("kind,value", SHAPED.items())
def test_a_plan_never_writes_nor_shows_a_secret_shaped_value(project, tmp_path, kind, value):
    """validate takes a description holding one (a description may say anything), lint reports it, and a pull
    request's plan runs whatever lint says: the plan itself refuses to write it, in every format, and saves no plan
    file; apply writes nothing."""
    from tests.cli.harness import apply, plan, tenant

    edit(project / BLOG, "description: The organisation's public blog.",
         f"description: {json.dumps('The blog; key ' + value)}\n# was:")
    for output in ("human", "json", "markdown"):
        result = plan(project, "--format", output, "--out", str(tmp_path / f"{output}.json"))
        assert result.code == 1, result.out
        assert value not in result.out + result.err and value[:20] not in result.out + result.err
        assert f"app.wordpress: description holds what looks like {kind}" in result.err
        assert not (tmp_path / f"{output}.json").exists()
    assert apply(project).code == 1
    assert not [a for a in tenant(project)["objects"].get("applications", []) if a.get("uniqueName") == "wordpress"]


def test_a_secret_pasted_as_a_key_is_never_printed_by_validate_or_lint(project):
    """A client secret pasted where a key goes (a mis-indented block): validate's "unknown key" quoted it, and lint
    collected secret-shaped values only (found by a review in session 47)."""
    from tests.cli.harness import idamconf

    secret = "abc8Q~" + "x" * 34
    path = project / "applications" / "wordpress.yaml"
    path.write_text(path.read_text() + f"{secret}: rotate-me\n")
    said = {command: idamconf(command, "-C", str(project)) for command in ("validate", "lint")}
    said["validate --format github"] = idamconf("validate", "-C", str(project), "--format", "github")
    assert said["validate"].code == 1
    assert "unknown key (not shown: it looks like an Entra client secret)" in said["validate"].err, said["validate"].err
    assert not [command for command, result in said.items() if secret in result.out + result.err]
    path.write_text(path.read_text().replace(f"{secret}: rotate-me\n", f"overrides:\n  {secret}: {{}}\n"))
    named = idamconf("validate", "-C", str(project))  # where a key must be a name (an environment's)
    assert named.code == 1 and "the value (not shown: it may be a secret) is not a valid name" in named.err, named.err
    assert secret not in named.out + named.err
