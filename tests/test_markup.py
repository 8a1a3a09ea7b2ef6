"""Text made safe for HTML pages (kg.markup): JSON inside ``<script>`` and the inlined-script check."""

from __future__ import annotations

import json

from kg.markup import script_json


def test_script_json_escapes():
    text = script_json({"a": "</script><!--&\u2028\u2029>"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029>"}
