"""The loader's hypothesis properties are derandomized in the suite (the same examples on every run, so CI never
fails by chance) through the `suite` profile, loaded unless a profile is chosen on the command line: with
`--hypothesis-profile=default` they are a real random search with hypothesis's default budget (benchmarks/
reliability.py runs them so, with a fresh `--hypothesis-seed`)."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("suite", derandomize=True)


def pytest_configure(config):
    if not config.getoption("--hypothesis-profile"):
        settings.load_profile("suite")
