"""One column list per entity: every template column is stored in a registry table or declared
check-only, and every stored column is in the sign-off snapshot or left out with a reason — so a
column added to a template, a table or the snapshot cannot be forgotten in the others."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

import hemis.models  # noqa: F401 - every table on the metadata
from hemis.common.crypto import IdCipher
from hemis.db.base import Base
from hemis.db.session import HemisSession
from hemis.imports.entities import entities
from hemis.submissions import snapshot, targets
from hemis.submissions.persons import PERSON_COLUMNS
from tests.submissions.test_lifecycle import officer
from tests.submissions.world import World, learner, run

TABLES = Base.metadata.tables


def test_every_entity_is_written_here_or_by_its_domain_or_declared_not_applied() -> None:
    for entity in entities():
        homes = [entity in targets.TARGETS, entity in targets.NOT_APPLIED]
        homes.append(entity in targets.COMPETENCY)  # levels packed per sitting: competency/apply
        assert sum(homes) == 1, entity


@pytest.mark.parametrize("entity", [e for e in entities() if e not in targets.COMPETENCY])
def test_every_template_column_is_stored_or_declared_check_only(entity: str) -> None:
    people = "person" if entity in ("learners", "staff") else None
    tables = {t.table for t in targets.TARGETS.get(entity, ())} | {people}
    for name in entities()[entity].names:
        place = targets.stored_as(entity, name)  # KeyError: neither
        if place is None:
            continue
        table, column = place.split(".")
        assert table in tables, f"{entity}.{name} stored in {table}, not one of its tables"
        assert column in TABLES[table].c, f"{entity}.{name}: {place} is no column"
    for name in targets.CHECK_ONLY.get(entity, {}):  # a check-only column exists in the file
        assert name in entities()[entity].names


@pytest.mark.parametrize("entity", list(targets.STORED_AS))
def test_renamed_columns_are_template_columns(entity: str) -> None:
    assert set(targets.STORED_AS[entity]) <= set(entities()[entity].names)


def _selected(table: str) -> set[str]:
    query, _ = snapshot.QUERIES[table]
    return {f"{c.table.name}.{c.name}" for c in query().selected_columns}


def test_every_written_column_is_in_the_snapshot_or_left_out_with_a_reason() -> None:
    written_tables = {t.table for ts in targets.TARGETS.values() for t in ts}
    assert {t.table for t in snapshot.SHOWN.values()} == written_tables
    for name, target in snapshot.SHOWN.items():
        selected = _selected(name)
        for column in target.schema:
            if column in snapshot.REFERENCES:
                _parent, shown = snapshot.REFERENCES[column]
                # shown by the parent's natural key (never its id, which differs per database)
                assert shown
                assert all(f"{c.table.name}.{c.name}" in selected for c in shown)
                assert all(c.name != "id" for c in shown)
            else:
                assert f"{target.table}.{column}" in selected, f"{name}: {column} not frozen"
    people = _selected("learners") & _selected("staff")
    for column in PERSON_COLUMNS:
        if column == "id":
            continue
        place = f"person.{column}"
        assert (place in people) != (place in snapshot.LEFT_OUT), place
    for place, why in snapshot.LEFT_OUT.items():
        table, column = place.split(".")
        assert why
        assert column in TABLES[table].c


def test_the_learners_results_are_part_of_what_is_signed(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    """A change to a learner's GPA, credits, graduation or diploma changes the snapshot (they
    were once missing from it, so a signed-off version did not cover them)."""
    seen = set()
    changes = (
        {},
        {"gpa": "3.9"},
        {"credits_earned": "60"},
        {"status": "graduated", "status_date": "2025-06-30", "graduated_on": "2025-06-30"},
        {
            "status": "graduated",
            "status_date": "2025-06-30",
            "graduated_on": "2025-06-30",
            "diploma_number": "VB-0001",
        },
    )
    for change in changes:
        outcome = run(engine, cipher, "learners", [learner(1, **change)], scene.a)
        assert outcome.report.errors == 0, outcome.report.issues.to_dicts()
        with officer(sessions, scene.a) as s:
            keys, _ = snapshot.canonical_lines(s, "learners")
            assert keys == ["SV00001"]
            seen.add(snapshot.freeze(s)[0])
    assert len(seen) == len(changes)
