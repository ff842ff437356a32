"""Text from files, names and keys made safe to print: control characters shown as \\xNN.

A landing file name, an S3 key or a cell may hold escape sequences; printed raw they could move
the cursor, recolour, retitle or clear the terminal or log viewer of whoever reads the line.
"""

import re

CONTROL = [chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))]
"""C0 and C1 control characters."""
CONTROL_SHOWN = [f"\\x{ord(char):02x}" for char in CONTROL]
_CONTROL_PATTERN = re.compile("[" + re.escape("".join(CONTROL)) + "]")


def printable(text: str) -> str:
    """`text` with every control character (line breaks included) shown as \\xNN."""
    return _CONTROL_PATTERN.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
