"""`{% rowheaders %}…{% endrowheaders %}`: tables whose first column heads each row.

The tag wraps its content as the tool tags do (`<div class="ghd-tool rowheaders">`); the
Markdown stage then makes the first cell of each body row of the tables inside a
`<th scope="row">` (`markdown_rules.tool_blocks`).
"""

from __future__ import annotations

from .tool_tags import wrapper_tag

RowheadersTag = wrapper_tag("rowheaders")
__all__ = ["RowheadersTag"]
