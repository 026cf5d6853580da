"""Loading the framework tables from competency/data (where each file comes from:
competency/data/SOURCES.md). Idempotent, like the registry's reference load: new rows are
inserted, changed rows updated, rows no longer in the files kept (targets and assessments refer
to them). The migration runs it; `hemis competency load-framework` runs it again after the files
change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Connection

from hemis.competency.framework import Framework, framework, versions
from hemis.competency.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    CompetencyLevel,
)
from hemis.db.base import table_of
from hemis.registry.reference import TableSync, sync_table

# Referenced tables first.
MODELS: tuple[type[Any], ...] = (
    CompetencyFramework,
    CompetencyDomain,
    Competency,
    CompetencyLevel,
)


def rows_of(fw: Framework) -> dict[str, list[dict[str, Any]]]:
    """The rows of every framework table for one version, by table name."""
    v = fw.version
    return {
        "competency_framework": [
            {
                "version": v,
                "title_vi": fw.title_vi,
                "title_en": fw.title_en,
                "legal_basis": fw.legal_basis,
                "signed_on": fw.signed_on,
                "in_force_from": fw.in_force_from,
            }
        ],
        "competency_domain": [
            {
                "framework_version": v,
                "code": d.code,
                "position": d.position,
                "name_vi": d.name_vi,
                "name_en": d.name_en,
            }
            for d in fw.domains
        ],
        "competency": [
            {
                "framework_version": v,
                "code": c.code,
                "domain_code": c.domain_code,
                "position": c.position,
                "name_vi": c.name_vi,
                "name_en": c.name_en,
                "digcomp_equivalent": c.digcomp_equivalent,
                "source": c.source,
            }
            for c in fw.competencies
        ],
        "competency_level": [
            {
                "framework_version": v,
                "level": lv.level,
                "code": lv.code,
                "code_inferred": lv.code_inferred,
                "tier_code": lv.tier_code,
                "tier_name_vi": lv.tier_name_vi,
                "tier_name_en": lv.tier_name_en,
                "description_vi": lv.description_vi,
                "description_en": lv.description_en,
                "source": lv.source,
            }
            for lv in fw.levels
        ],
    }


def load_framework(conn: Connection, *, today: dt.date | None = None) -> dict[str, TableSync]:
    """Synchronise the framework tables with the files of every version."""
    when = today or dt.date.today()
    rows: dict[str, list[dict[str, Any]]] = {table_of(m).name: [] for m in MODELS}
    for version in versions():
        for name, part in rows_of(framework(version)).items():
            rows[name].extend(part)
    return {
        table_of(m).name: sync_table(conn, table_of(m), rows[table_of(m).name], today=when)
        for m in MODELS
    }
