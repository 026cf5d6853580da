"""The people a simulator knows, read from a HEMIS database (the synthetic nation): the
simulator is another system with its own copy of the same people, so it reads them once at
start-up and never again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text

from hemis.common.crypto import IdCipher
from hemis.db.session import make_engine


@dataclass(frozen=True)
class SourcePerson:
    person_id: int
    national_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    graduated_on: dt.date | None = None
    employer_code: str | None = None
    employer_name: str | None = None
    position: str | None = None
    civil_servant_id: str | None = None
    permanent: bool = False


QUERIES = {
    "population": "SELECT p.id, p.national_id_enc, p.full_name, p.date_of_birth, p.sex "
    "FROM person p ORDER BY p.id",
    # A person's first award: the insurance registry sees a person once.
    "insurance": "SELECT p.id, p.national_id_enc, p.full_name, p.date_of_birth, p.sex, "
    "MIN(a.awarded_on) FROM award a JOIN learner l ON l.institution_id = a.institution_id "
    "AND l.id = a.learner_id JOIN person p ON p.id = l.person_id "
    "GROUP BY p.id, p.national_id_enc, p.full_name, p.date_of_birth, p.sex ORDER BY p.id",
    "civil_service": "SELECT p.id, p.national_id_enc, p.full_name, p.date_of_birth, p.sex, "
    "i.moet_code, i.name_vi, s.position, s.civil_servant_id, s.permanent "
    "FROM staff s JOIN person p ON p.id = s.person_id JOIN institution i "
    "ON i.id = s.institution_id ORDER BY p.id, s.institution_id, s.id",
}


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def read_people(url: str, cipher: IdCipher, system: str) -> Iterator[SourcePerson]:
    """Every person the registry `system` would know, in person-id order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', true)")
            seen: set[int] = set()
            for row in conn.execute(text(QUERIES[system])).yield_per(20_000):
                if row[0] in seen:  # one civil-servant record per person: the first post
                    continue
                seen.add(row[0])
                base = (row[0], cipher.decrypt(row[1]), row[2], _date(row[3]), row[4])
                if system == "insurance":
                    yield SourcePerson(*base, graduated_on=_date(row[5]))
                elif system == "civil_service":
                    yield SourcePerson(
                        *base,
                        employer_code=row[5],
                        employer_name=row[6],
                        position=row[7],
                        civil_servant_id=row[8],
                        permanent=bool(row[9]),
                    )
                else:
                    yield SourcePerson(*base)
    finally:
        engine.dispose()
