"""The sign-in, started while the configuration's files are still being read (issue 22).

Against a tenant, a command's first request waits for a token: azure-identity asks the authority's OpenID
configuration, then the token itself -- two round trips, after opening a TLS connection of its own (against Entra,
instance discovery too): about a second at 250 ms a round trip. None of it depends on the application files, only on idamconf.yaml's environment (where, and who
signs in), which is validated first. So once idamconf.yaml is valid, `start` signs in for the command's target in a
thread of its own, while the files are read and modelled; the command's own credential (`Presigned`) then takes
that token for its first requests instead of signing in again. A full plan's early reads (graph/early.py) take it
too: one sign-in per command, where there were two.

The rule kept is the early reads': a configuration with errors never causes a write, and never a request that
depends on its content. A sign-in is neither; it is what the command would do first anyway. Nothing it meets is
shown from here: a configuration with errors reports them alone. Once the configuration is valid, a sign-in that
failed (a wrong secret, an authority unreachable) is the command's answer, as its own sign-in's failure would be --
one line (graph/connect._SignIn), and not asked again: a refused sign-in is never retried.

The token is held as long as azure-identity's own cache would hold it: to the end of the command, for the target it
was asked for. It is used only for the same scopes, without claims (a claims challenge asks the authority again),
and while it has more than `MARGIN` seconds left (a long apply then signs in again through its own credential).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

MARGIN = 300  # seconds a token must still be good for to be used (azure-identity refreshes 5 minutes early too)

_STARTED: dict = {}  # target -> concurrent.futures.Future of (scope, AccessToken)


def start(target, sign_in) -> None:
    """Sign in for `target` (hashable) in a thread: `sign_in()`, a coroutine function giving (scope, whether with
    continuous access evaluation, AccessToken). Once per target and command (`forget`)."""
    if target in _STARTED:
        return
    found: concurrent.futures.Future = concurrent.futures.Future()
    _STARTED[target] = found

    def run() -> None:
        try:
            found.set_result(asyncio.run(sign_in()))
        except BaseException as error:  # noqa: BLE001 - never reported from here (see the module's notes)
            found.set_exception(error)

    # a daemon: a command that stops on an error does not wait for its sign-in
    threading.Thread(target=run, name="idamconf-sign-in", daemon=True).start()


def started(target) -> concurrent.futures.Future | None:
    return _STARTED.get(target)


def forget() -> None:
    """The command is over: its sign-ins are no later command's (a thread still signing in finishes unheard)."""
    _STARTED.clear()


class Presigned:
    """An azure-identity async credential whose tokens for `early`'s scope come from the sign-in started early,
    while it is good, or whose failure is that sign-in's; every other ask -- another scope, a claims challenge, a
    token near its end -- goes to `credential`, which the caller owns and closes through this."""

    def __init__(self, credential, early: concurrent.futures.Future):
        self.credential, self.early = credential, early

    async def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                        enable_cae: bool = False, **kwargs):
        if claims is None and tenant_id is None and not kwargs:
            token = await self._early(scopes, enable_cae)
            if token is not None:
                return token
        return await self.credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae,
                                               **kwargs)

    async def _early(self, scopes: tuple, enable_cae: bool):
        if self.early.done():  # (its failure is raised here, as below)
            scope, cae, token = self.early.result()
        else:  # shielded: a request given up on must not cancel the sign-in others wait for
            scope, cae, token = await asyncio.shield(asyncio.wrap_future(self.early))
        if (scope,) == scopes and cae == enable_cae and token.expires_on - time.time() > MARGIN:
            return token
        return None

    async def close(self) -> None:
        await self.credential.close()
