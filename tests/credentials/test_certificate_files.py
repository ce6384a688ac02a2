"""A certificate file is read at most 64 KiB (credentials/certificates.py): a certificate is a few KB, so a larger
file -- an archive, a bundle, a dump -- is refused unread, saying how large it is and what the limit is; one of
exactly 64 KiB is read (and here refused for what it holds, not for its size)."""

from __future__ import annotations

import pytest

from idamconf.credentials.certificates import Certificate, Refused, read_certificate


def refusal(tmp_path, size: int) -> tuple[str, str]:
    (tmp_path / "big.cer").write_bytes(b" " * size)
    with pytest.raises(Refused) as refused:
        read_certificate(tmp_path, Certificate("big.cer", "AB" * 32))
    return refused.value.summary, refused.value.fix


def test_a_certificate_file_over_64_kib_is_refused_unread(tmp_path):
    summary, fix = refusal(tmp_path, 64 * 1024 + 1)
    assert summary == "'big.cer' is larger than a certificate file should be (65537 bytes, at most 65536)"
    assert fix.startswith("check that the path names the certificate file itself")


def test_a_certificate_file_of_64_kib_is_read(tmp_path):
    assert refusal(tmp_path, 64 * 1024)[0] == "'big.cer' is not an X.509 certificate (PEM or DER)"
