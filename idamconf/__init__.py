"""idamconf: declarative configuration for Microsoft Entra ID app registrations."""

import sys

__version__ = "0.1.0"

# httpx imports its own command-line client (httpx._main) with itself, and with it rich, click and pygments
# whenever they are installed -- they are, as typer's -- about a third of importing httpx, in every plan and apply's
# start-up, for a client idamconf never runs. A module named None in sys.modules cannot be imported: httpx then
# takes the path it provides for that client's absence (its `main` says how to install it).
sys.modules.setdefault("httpx._main", None)
