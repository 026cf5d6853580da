"""Which persons an institution sees: those it enrols or employs (persons are national, one row
per human across institutions). Registered with the tenancy hooks (db/tenancy.py) when the
registry models are imported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists
from sqlalchemy.orm import with_loader_criteria

from hemis.registry.models.learner import Learner
from hemis.registry.models.person import Person
from hemis.registry.models.staff import Staff


def person_criteria(iid: int) -> Any:
    # Correlated EXISTS, not `id IN (SELECT person_id …)`: under the OR, PostgreSQL cannot turn
    # an IN into a semi-join and hashes the institution's whole learner list for every query
    # (0.9 s at a million learners); EXISTS probes the person_id index once per person row.
    return with_loader_criteria(
        Person,
        lambda cls: (
            # correlate_except: a query that itself reads learner (or staff) must not absorb
            # the subquery's own table into the outer FROM (it would be left with none).
            exists()
            .where(Learner.person_id == cls.id, Learner.institution_id == iid)
            .correlate_except(Learner)
            | exists()
            .where(Staff.person_id == cls.id, Staff.institution_id == iid)
            .correlate_except(Staff)
        ),
        include_aliases=True,
    )
