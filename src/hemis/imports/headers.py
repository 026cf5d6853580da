"""Mapping a file's header row onto the entity's columns.

- A header matches a column when they are equal after trimming, lower-casing and reading
  spaces, hyphens and dots as underscores (`Student Code` → `student_code`).
- An unknown header that looks like a column absent from the file — its Vietnamese label
  (`Mã người học`), or a close spelling (`studentcode`, `student_cod`) — is an error
  `FILE.header.renamed` that names the column meant; its data is not read until it is renamed.
- Any other unknown column is a warning `FILE.header.unknown` and is ignored (not imported).
- A required column that is absent (and not explained by a rename) is an error
  `FILE.header.missing`; its rules are not run, so one missing column gives one issue, not one
  per row.
- Two headers for the same column: the first is read, the second is `FILE.header.duplicate`.
- A file whose headers are another kind of data's (a staff list uploaded as learners) gets one
  error `FILE.entity.other` first, naming that kind, ahead of the missing columns it explains.
"""

from __future__ import annotations

import difflib
import re

from hemis.common.text import fold
from hemis.imports.catalogue import Finding
from hemis.imports.entities import Entity

CLOSE_ENOUGH = 0.8
# Another entity is named when the chosen one recognises under half of its required columns
# and the other recognises at least 80 % of its own, and more of the file's headers.
MOSTLY = 0.8


def normalise(header: str) -> str:
    return re.sub(r"[\s.\-/]+", "_", header.strip().lower()).strip("_")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


def suggest(header: str, candidates: list[str], entity: Entity) -> str | None:
    """The absent column an unknown header most likely means, if any."""
    squashed = _squash(header)
    if not squashed:
        return None
    for name in candidates:
        column = entity.column(name)
        if squashed in (_squash(name), _squash(column.label_vi)):
            return name
    by_key = {_squash(name): name for name in candidates}
    close = difflib.get_close_matches(squashed, list(by_key), n=1, cutoff=CLOSE_ENOUGH)
    return by_key[close[0]] if close else None


def map_headers(
    entity: Entity, headers: list[str], header_row: int = 1
) -> tuple[dict[str, str], list[Finding]]:
    """({header in the file: column name}, findings)."""
    known = set(entity.names)
    mapping: dict[str, str] = {}
    findings: list[Finding] = []
    unknown: list[str] = []
    for header in headers:
        name = normalise(header)
        if name in known:
            if name in mapping.values():
                findings.append(Finding("FILE.header.duplicate", header_row, header))
            else:
                mapping[header] = name
        else:
            unknown.append(header)
    absent = [n for n in entity.names if n not in mapping.values()]
    explained: set[str] = set()
    for header in unknown:
        meant = suggest(header, [n for n in absent if n not in explained], entity)
        if meant is None:
            findings.append(Finding("FILE.header.unknown", header_row, header))
        else:
            explained.add(meant)
            findings.append(Finding("FILE.header.renamed", header_row, header, detail=meant))
    for name in entity.required:
        if name not in mapping.values() and name not in explained:
            findings.append(Finding("FILE.header.missing", header_row, name))
    other = likely_entity(entity, headers)
    if other is not None:
        findings.insert(
            0,
            Finding(
                "FILE.entity.other",
                header_row,
                value=other.name,
                detail=other.label_vi,
                detail_en=other.label_en,
            ),
        )
    return mapping, findings


def likely_entity(chosen: Entity, headers: list[str]) -> Entity | None:
    """The kind of data the headers belong to, when clearly not the chosen one."""
    from hemis.imports.entities import entities

    names = {normalise(h) for h in headers}
    required = chosen.required
    if not required or len(names & set(required)) * 2 >= len(required):
        return None
    mine = len(names & set(chosen.names))
    best: tuple[int, Entity] | None = None
    for other in entities().values():
        if other.name == chosen.name or not other.required:
            continue
        covered = len(names & set(other.required)) / len(other.required)
        matched = len(names & set(other.names))
        if covered >= MOSTLY and matched > mine and (best is None or matched > best[0]):
            best = (matched, other)
    return best[1] if best else None
