"""What a reload changed in the catalogue, for the administrator's reply and the log."""

from __future__ import annotations

from pydantic import BaseModel

from skills.catalogue import Catalogue

__all__ = ["catalogue_changes"]

_SECTIONS = ("matters", "units", "skills", "specialists", "operators", "districts")


def catalogue_changes(old: Catalogue, new: Catalogue) -> list[str]:
    """One line per section that changed: ``catalogue: matters changed 101; added 150``.

    Working hours, ring times and overflow chains live in ``units``; a unit whose hours
    changed is listed as changed.
    """
    lines = []
    for section in _SECTIONS:
        before: dict[str, BaseModel] = getattr(old.spec, section)
        after: dict[str, BaseModel] = getattr(new.spec, section)
        parts = []
        for verb, keys in (
            ("added", sorted(after.keys() - before.keys())),
            ("removed", sorted(before.keys() - after.keys())),
            ("changed", sorted(k for k in before.keys() & after.keys() if before[k] != after[k])),
        ):
            if keys:
                parts.append(f"{verb} {', '.join(keys)}")
        if parts:
            lines.append(f"catalogue: {section} {'; '.join(parts)}")
    if old.spec.operator_queues != new.spec.operator_queues:
        lines.append("catalogue: operator_queues changed")
    return lines
