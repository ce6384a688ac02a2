"""The fixtures of tests/safety/wire.py (`pauses`: a recorded clock; `lose`: answers lost on the way back),
for every test here."""

from .wire import lose, pauses  # noqa: F401
