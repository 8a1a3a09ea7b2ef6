"""Text made safe for HTML pages: one escaper for JSON inside ``<script>``.

Examples
--------
>>> script_json({"t": "</script><!-- \\u2028"})
'{"t":"\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u2028"}'
"""

from __future__ import annotations

import json
from typing import Any


def script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` block: no ``</script>``, ``<!--``, ``&`` or line separators.

    Keys are sorted and separators compact, so the same data gives the same bytes.
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text
