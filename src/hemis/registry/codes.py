"""Code lists of the registry. Values are the stored codes; labels are in hemis.registry.labels."""

from __future__ import annotations

from enum import StrEnum


class InstitutionType(StrEnum):
    university = "university"
    academy = "academy"
    college = "college"
    institute = "institute"


class Ownership(StrEnum):
    public = "public"
    private = "private"
    foreign_invested = "foreign_invested"


class InstitutionStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    merged = "merged"
    dissolved = "dissolved"


class Level(StrEnum):
    college = "college"
    bachelor = "bachelor"
    master = "master"
    doctor = "doctor"


class StudyMode(StrEnum):
    full_time = "full_time"
    part_time = "part_time"
    distance = "distance"


class AccreditationStatus(StrEnum):
    none = "none"
    in_progress = "in_progress"
    accredited = "accredited"
    expired = "expired"


class ProgramStatus(StrEnum):
    open = "open"
    suspended = "suspended"
    closed = "closed"


class Sex(StrEnum):
    male = "male"
    female = "female"


class ReviewStatus(StrEnum):
    """Where the ministry's review of a person claim stands (models/person.py)."""

    pending = "pending"
    merged = "merged"  # the same human: the institution's rows now point at the registered person
    rejected = "rejected"  # not the same human: the claim stays the institution's own person


class FundingSource(StrEnum):
    state_budget = "state_budget"
    self_funded = "self_funded"
    scholarship = "scholarship"
    employer = "employer"
    other = "other"


class LearnerStatus(StrEnum):
    enrolled = "enrolled"
    suspended = "suspended"
    withdrawn = "withdrawn"
    transferred = "transferred"
    graduated = "graduated"


class Classification(StrEnum):
    excellent = "excellent"
    very_good = "very_good"
    good = "good"
    average = "average"


class ContractType(StrEnum):
    civil_servant = "civil_servant"
    indefinite = "indefinite"
    fixed_term = "fixed_term"
    visiting = "visiting"


class Position(StrEnum):
    lecturer = "lecturer"
    researcher = "researcher"
    manager = "manager"
    administrative = "administrative"
    technical = "technical"


class Degree(StrEnum):
    none = "none"
    bachelor = "bachelor"
    master = "master"
    doctor = "doctor"


class AcademicTitle(StrEnum):
    none = "none"
    associate_professor = "associate_professor"
    professor = "professor"


class FacilityKind(StrEnum):
    lecture_hall = "lecture_hall"
    classroom = "classroom"
    laboratory = "laboratory"
    workshop = "workshop"
    library = "library"
    office = "office"
    dormitory = "dormitory"
    sports = "sports"
    other = "other"


class RevenueSource(StrEnum):
    """Circular 09/2024 revenue sources."""

    state_budget = "state_budget"
    tuition_fees = "tuition_fees"
    sponsorship_contracts = "sponsorship_contracts"
    other = "other"


class Activity(StrEnum):
    training = "training"
    science_technology = "science_technology"
    other = "other"


class ExpenditureCategory(StrEnum):
    """Circular 09/2024 expenditure categories."""

    salaries = "salaries"
    facilities_services = "facilities_services"
    student_support = "student_support"
    other = "other"


class AssetCategory(StrEnum):
    land = "land"
    building = "building"
    equipment = "equipment"
    vehicle = "vehicle"
    intangible = "intangible"
    other = "other"


def values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]
