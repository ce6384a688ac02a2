"""An application's logo: an image file of the configuration, named by its path in the configuration directory
(`logo: images/blog.png`).

Reading it is confined to the configuration directory, as every file a configuration names is (config/confined.py):
a path leading outside -- an absolute path, `..`, a link -- is refused before anything is read, by `validate`, by
`plan` (which hashes the image) and by `apply` (which uploads it). Only a regular file is read (a FIFO or a device
would block or never end), and never more than one byte past the limit. The image is checked as Graph's documented
limit says (graph/limits.py, which the emulator applies too): a PNG, JPEG or GIF by its leading bytes, at most
100,000 bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..diagnostics import Diagnostic
from ..graph.limits import LOGO_BYTES, logo_problem
from .confined import inside
from .model import Application, Configuration
from .yamlfile import Document


class LogoUnreadable(Exception):
    """The logo cannot be read, or is not an image Graph takes: (what is wrong, how to fix it)."""

    def __init__(self, summary: str, fix: str):
        super().__init__(summary)
        self.summary, self.fix = summary, fix


def read_logo(root: Path | str, path: str) -> bytes:
    """The logo's bytes, checked; raises `LogoUnreadable`."""
    root = Path(root)
    file = root / path
    if not inside(root, file):
        raise LogoUnreadable(f"'{path}' is outside the configuration directory (an absolute path, '..' or a link "
                             "leading out)", "copy the image into the configuration directory, e.g. images/, and "
                                             "name it by its path there")
    try:
        if not file.is_file():
            raise LogoUnreadable(f"no image file '{path}' in the configuration directory",
                                 "check the path: it is relative to the directory holding idamconf.yaml")
        with file.open("rb") as stream:
            image = stream.read(LOGO_BYTES + 1)  # enough to tell it is too large
            size = max(len(image), os.fstat(stream.fileno()).st_size)
    except OSError as error:
        raise LogoUnreadable(f"cannot read '{path}': {error.strerror or error}", "check the file's permissions")
    problem = logo_problem(image, size)
    if problem:
        raise LogoUnreadable(f"'{path}' {problem}", "use a PNG, JPEG or GIF image of at most 100 KB (Entra "
                                                    "shows it at 215x215 pixels)")
    return image


def digest(image: bytes) -> str:
    """What the plan compares a logo by: the first 32 hexadecimal digits of its SHA-256."""
    return hashlib.sha256(image).hexdigest()[:32]


def check(configuration: Configuration, document: Document, app: Application) -> list[Diagnostic]:
    if app.logo is None:
        return []
    try:
        read_logo(configuration.root, app.logo)
    except LogoUnreadable as problem:
        return [document.diagnostic(("logo",), problem.summary, problem.fix)]
    return []
