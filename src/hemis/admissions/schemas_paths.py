"""Schemas of bonus points and of admission outside the matching: an institution's bonus tables,
a candidate's certificates and awards (with their provenance), direct and priority admission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from hemis.admissions.codes import (
    CERTIFICATE_MAX_H,
    AchievementKind,
    AdmissionPath,
    Award,
    Certificate,
)
from hemis.admissions.schemas import AdmissionYearNumber, RowId
from hemis.registry.schemas import ReadSchema, Schema, TenantRef, Text100, Text200, Text300

CandidateNumber = Annotated[str, Field(min_length=8, max_length=8, pattern=r"^\d{8}$")]
BonusPoints = Annotated[Decimal, Field(gt=0, le=3, max_digits=3, decimal_places=2)]
CertificateScore = Annotated[Decimal, Field(ge=0, le=9900, max_digits=6, decimal_places=2)]


def _known_code(kind: AchievementKind, code: str) -> bool:
    if kind is AchievementKind.language:
        return code in {c.value for c in Certificate}
    return code in {a.value for a in Award}


class BonusRow(Schema):
    code: Annotated[str, Field(max_length=30)]
    minimum: CertificateScore = Field(
        Decimal(0), description="A certificate's lowest score for this row (0 for awards)."
    )
    points: BonusPoints


class BonusTableCreate(TenantRef):
    year: AdmissionYearNumber
    kind: AchievementKind
    rows: list[BonusRow] = Field(min_length=1, max_length=60)
    source: Text300 = Field(description="Where the institution published the table.")

    @model_validator(mode="after")
    def _codes(self) -> BonusTableCreate:
        for row in self.rows:
            if not _known_code(self.kind, row.code):
                raise ValueError(f"{row.code} is not a {self.kind.value} code")
            if self.kind is AchievementKind.language:
                if row.minimum * 100 > CERTIFICATE_MAX_H[row.code]:
                    raise ValueError(f"{row.code}: the minimum is above the certificate's scale")
            elif row.minimum != 0:
                raise ValueError("award rows have no minimum score")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "kind": "language",
                    "rows": [
                        {"code": "ielts", "minimum": "5.5", "points": "0.75"},
                        {"code": "ielts", "minimum": "6.5", "points": "1.25"},
                        {"code": "ielts", "minimum": "7.0", "points": "1.5"},
                    ],
                    "source": "Thông báo tuyển sinh 2025, mục 5.2",
                }
            ]
        }
    )


class BonusTableRead(ReadSchema):
    id: int
    institution_id: int
    year: int
    kind: str
    rows: list[BonusRow]
    source: str


class AchievementCreate(Schema):
    """A certificate or award recorded by the ministry, with where it comes from."""

    year: AdmissionYearNumber
    candidate_number: CandidateNumber
    kind: AchievementKind
    code: Annotated[str, Field(max_length=30)]
    score: CertificateScore | None = Field(None, description="A certificate's score.")
    detail: Annotated[str, Field(max_length=200)] = ""
    source: Text200 = Field(description="The issuing body (e.g. IDP Việt Nam, Bộ GD&ĐT).")
    document: Text100 = Field(description="The certificate's or decision's number.")
    issued_on: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> AchievementCreate:
        if not _known_code(self.kind, self.code):
            raise ValueError(f"{self.code} is not a {self.kind.value} code")
        if self.kind is AchievementKind.language:
            if self.score is None:
                raise ValueError("a certificate needs its score")
            if self.score * 100 > CERTIFICATE_MAX_H[self.code]:
                raise ValueError(f"{self.code}: the score is above the certificate's scale")
        elif self.score is not None:
            raise ValueError("an award has no score")
        return self


class AchievementRead(ReadSchema):
    id: int
    year: int
    person_id: int
    kind: str
    code: str
    score: Decimal | None
    detail: str
    source: str
    document: str
    issued_on: dt.date


class DirectAdmissionCreate(Schema):
    """An institution's decision to admit a candidate outside the matching (Art. 8)."""

    year: AdmissionYearNumber
    candidate_number: CandidateNumber
    offer_id: RowId
    path: AdmissionPath
    basis: Text300 = Field(description="The article and the achievement it rests on.")


class DirectAdmissionRead(ReadSchema):
    id: int
    year: int
    person_id: int
    institution_id: int
    offer_id: int
    path: str
    basis: str
    status: str
    answered_at: dt.datetime | None
