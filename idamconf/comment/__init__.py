"""The pull-request comment: one per pull request, found again by its marker and replaced on every push, whatever
happened -- validation errors, lint findings, a failed sign-in, or the plans of every environment the change touches.

`compose.render_comment` builds it from each environment's outcome (`Outcome`), findings first, then each
environment's plan: its summary, deletions and replacements, the changes made outside idamconf (drift) apart, a
table of its own changes, the details collapsed, and a Mermaid diagram -- within GitHub's 65,536-character limit:
what does not fit is left to the run's artifacts (the full plans), tables are cut with a count of what is left out,
details and diagrams are left out before any table row (sections.py writes each part, escaped for where it stands).
"""

from .compose import MARKER, Outcome, render_comment

__all__ = ["MARKER", "Outcome", "render_comment"]
