"""Caller numbers never appear whole in logs, events or dashboards.

>>> mask_number("13812345678")
'138****5678'
>>> mask_number("021-6234 5678")
'021****5678'
>>> mask_number("110")
'***'
"""

from __future__ import annotations

__all__ = ["mask_number"]

_KEEP_HEAD = 3
_KEEP_TAIL = 4


def mask_number(number: str | None) -> str:
    """Mask a telephone number: keep the first 3 and last 4 digits of long numbers.

    Short numbers (8 digits or fewer after removing separators) keep nothing, since
    the tail alone may identify an extension. Withheld or empty numbers become ``"-"``.
    """
    if not number:
        return "-"
    digits = "".join(ch for ch in number if ch.isdigit() or ch in "+#*")
    if len(digits) <= _KEEP_HEAD + _KEEP_TAIL + 1:
        return "*" * len(digits) if digits else "-"
    return f"{digits[:_KEEP_HEAD]}****{digits[-_KEEP_TAIL:]}"
