"""`idamconf lint`: the organisation's rules as named checks with stable ids, severity configurable per environment
(`environments.<env>.rules.<id>` in idamconf.yaml), findings at file:line, rendered as text or SARIF."""

from .findings import lint
from .model import Finding, Rule
from .rules import RULES

__all__ = ["Finding", "RULES", "Rule", "lint"]
