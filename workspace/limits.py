"""Documented limits of what people may write, in characters (Unicode code points).

Every long text has one limit here; forms, services, imports and the co-editing room all read
it from this module, so the number a person is told is the number that is enforced.
"""

from __future__ import annotations

#: living results and guides: generous, a long handbook fits
LONG_TEXT_MAX = 500_000
#: comments, proposals, minutes, newsletter items, descriptions and other prose
PROSE_MAX = 50_000
#: titles, names and other one-line fields without a model max_length
LINE_MAX = 300
