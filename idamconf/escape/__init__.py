"""Output is a boundary too: one escaping function per output format, applied where text leaves the program to
every value that comes from a file or a tenant (names, descriptions, catalogs, packages, people, file names, Graph's
messages) -- never to idamconf's own text, so the structure of what it writes (lines, table rows, details blocks,
fences, the comment's marker) is idamconf's alone. In the spirit of @actions/core's escapeData/escapeProperty and
rich.markup.escape: a value is escaped for the format it is written into, not sanitised where it enters, since the
same name is harmless in one format and dangerous in another.

- the terminal (human output, wherever it goes): `terminal`
- GitHub-flavoured Markdown: `md_text`, `md_code`, `md_html`, `md_fence`, `mermaid_label`
- GitHub workflow commands: `workflow_data`, `workflow_property`
- SARIF: `sarif_uri`, `sarif_message` (and `sarif_text` for a value in one), `sarif_name`
- JSON: `json_dumps`
"""

from .formats import (json_dumps, sarif_message, sarif_name, sarif_text, sarif_uri, terminal, workflow_data,
                      workflow_property)
from .markdown import md_code, md_fence, md_html, md_text, mermaid_label

__all__ = ["json_dumps", "md_code", "md_fence", "md_html", "md_text", "mermaid_label", "sarif_message", "sarif_name",
           "sarif_text", "sarif_uri", "terminal", "workflow_data", "workflow_property"]
