"""Text made safe for HTML pages: one escaper for JSON inside ``<script>``, one check for an inlined script.

Examples
--------
>>> script_json({"t": "</script><!-- \\u2028"})
'{"t":"\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u2028"}'
"""

from __future__ import annotations

import base64
import hashlib
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


def script_source(name: str, script: str) -> str:
    """The Content-Security-Policy source (``'sha256-...'``) that lets ``script`` run inline.

    Raises ``RuntimeError`` naming ``name`` when the script holds ``</script``: it could not be inlined.

    >>> script_source("a.js", "1")
    "'sha256-a4ayc/80/OGda4BO/1o/V0etpOqiLx1JwB5S3beHW0s='"
    """
    if "</script" in script.lower():
        raise RuntimeError(f"{name} contains '</script' and cannot be inlined")
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
