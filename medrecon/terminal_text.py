"""Text from an export made safe to print on a terminal or write into a text document.

An export can carry control characters (a damaged file, or a hostile one): an escape
sequence in a product name could recolour the terminal, move the cursor, rewrite what
the nurse sees or set the terminal's title. The loader rejects rows with control
characters, but file names, headers and text reaching the engine through the Python API
do not pass it; so every face that prints input text passes it through ``safe_text``.
Control characters become their visible symbol (ESC shows as ``␛``); line breaks and
tabs stay, because dosing texts use them.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\r]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␀ ␛ ␍ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # a C1 control: no picture exists


def safe_text(text: object) -> str:
    """``text`` as a string with every control character (except LF and TAB) made visible."""
    value = "" if text is None else str(text)
    return _CONTROL.sub(_visible, value) if _CONTROL.search(value) else value
