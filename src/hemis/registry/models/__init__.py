"""Registry models, imported together so the mapper registry is complete; importing them also
registers which persons an institution sees with the tenancy hooks."""

from hemis.db.tenancy import register_linked_criteria
from hemis.registry.models.finance import Asset, Expenditure, Revenue
from hemis.registry.models.institution import Campus, Facility, Institution, ResourceSummary
from hemis.registry.models.learner import Award, Learner, LearnerStatusEvent, TermResult
from hemis.registry.models.person import Person
from hemis.registry.models.program import Program
from hemis.registry.models.reference import (
    Discipline,
    DisciplineGroup,
    DisciplineIsced,
    Ethnicity,
    IscedField,
    Province,
    ProvinceMerger,
    ReportingPeriod,
)
from hemis.registry.models.staff import Staff, StaffChange
from hemis.registry.models.visibility import person_criteria

register_linked_criteria(person_criteria)

__all__ = [
    "Asset",
    "Award",
    "Campus",
    "Discipline",
    "DisciplineGroup",
    "DisciplineIsced",
    "Ethnicity",
    "Expenditure",
    "Facility",
    "Institution",
    "IscedField",
    "Learner",
    "LearnerStatusEvent",
    "Person",
    "Program",
    "Province",
    "ProvinceMerger",
    "ReportingPeriod",
    "ResourceSummary",
    "Revenue",
    "Staff",
    "StaffChange",
    "TermResult",
]
