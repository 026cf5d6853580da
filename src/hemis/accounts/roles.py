"""Roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ministry_admin = "ministry_admin"
    ministry_analyst = "ministry_analyst"
    institution_officer = "institution_officer"
    candidate = "candidate"
    # A high school's officer: issues its candidates' accounts (the school's code on the user).
    school_officer = "school_officer"
    # A learner (national e-ID, or an account their institution issued): their own record and
    # digital competency profile, read-only (hemis.competency).
    learner = "learner"

    @property
    def national(self) -> bool:
        return self in (Role.ministry_admin, Role.ministry_analyst)

    @property
    def writable(self) -> bool:
        return self not in (Role.ministry_analyst, Role.learner)

    @property
    def personal(self) -> bool:
        """A person's account for their own records only (never the registry's or the API's)."""
        return self in (Role.candidate, Role.learner)


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.ministry_admin: ("Quản trị Bộ GD&ĐT", "Ministry administrator"),
    Role.ministry_analyst: ("Chuyên viên phân tích của Bộ", "Ministry analyst"),
    Role.institution_officer: ("Cán bộ cơ sở đào tạo", "Institution officer"),
    Role.candidate: ("Thí sinh", "Candidate"),
    Role.school_officer: ("Cán bộ trường THPT", "High-school officer"),
    Role.learner: ("Người học", "Learner"),
}
