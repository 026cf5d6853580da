"""Builders of registry rows for tests (ORM objects through a national-scope session)."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import os

from sqlalchemy.orm import Session

from hemis.common.crypto import IdCipher
from hemis.common.text import fold
from hemis.registry.models import Institution, Learner, Person, Program, Staff

_seq = itertools.count(1)


def institution(session: Session, code: str | None = None, **kw: object) -> Institution:
    n = next(_seq)
    name = str(kw.pop("name_vi", f"Trường Đại học Thử nghiệm {n}"))
    inst = Institution(
        moet_code=code or f"T{n:03d}",
        name_vi=name,
        name_en=f"Test University {n}",
        name_folded=fold(name),
        type="university",
        ownership="public",
        governing_body="Bộ Giáo dục và Đào tạo",
        province_code="001",
        province_code_63="001",
        **kw,
    )
    session.add(inst)
    session.flush()
    return inst


def program(session: Session, inst: Institution, code: str | None = None, **kw: object) -> Program:
    n = next(_seq)
    values: dict[str, object] = {
        "discipline_code": "7480201",
        "code": code or f"P{n}",
        "name_vi": "Công nghệ thông tin",
        "level": "bachelor",
        "mode": "full_time",
        "credits": 130,
        "duration_years": 4.0,
        "opened_on": dt.date(2015, 9, 1),
        "annual_quota": 200,
    }
    values.update(kw)
    prog = Program(institution_id=inst.id, **values)
    session.add(prog)
    session.flush()
    return prog


def person(
    session: Session,
    cipher: IdCipher,
    national_id: str = "001099012345",
    full_name: str = "Nguyễn Văn An",
    sex: str = "male",
    date_of_birth: dt.date = dt.date(1999, 5, 1),
) -> Person:
    p = Person(
        national_id_enc=cipher.encrypt(national_id),
        national_id_index=cipher.blind_index(national_id),
        full_name=full_name,
        name_folded=fold(full_name),
        date_of_birth=date_of_birth,
        sex=sex,
    )
    session.add(p)
    session.flush()
    return p


def learner(
    session: Session, prog: Program, who: Person, code: str | None = None, **kw: object
) -> Learner:
    values: dict[str, object] = {
        "student_code": code or f"S{next(_seq)}",
        "cohort_year": 2023,
        "study_mode": "full_time",
        "funding_source": "self_funded",
        "admitted_on": dt.date(2023, 9, 5),
        "status": "enrolled",
        "status_date": dt.date(2023, 9, 5),
    }
    values.update(kw)
    row = Learner(
        institution_id=prog.institution_id, program_id=prog.id, person_id=who.id, **values
    )
    session.add(row)
    session.flush()
    return row


def staff(
    session: Session, inst: Institution, who: Person, code: str | None = None, **kw: object
) -> Staff:
    values: dict[str, object] = {
        "staff_code": code or f"GV{next(_seq)}",
        "unit": "Khoa Công nghệ thông tin",
        "position": "lecturer",
        "contract_type": "indefinite",
        "full_time": True,
        "permanent": True,
        "fte": 1.0,
        "highest_degree": "doctor",
        "degree_country": "VN",
        "degree_year": 2015,
        "academic_title": "none",
    }
    values.update(kw)
    row = Staff(institution_id=inst.id, person_id=who.id, **values)
    session.add(row)
    session.flush()
    return row


def production_keys() -> dict[str, str]:
    """Fresh strong values for every secret production refuses to run with at its default."""

    def key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    return {
        "secret_key": "p-" + os.urandom(24).hex(),
        "id_encryption_key": key(),
        "blind_index_key": key(),
        "exchange_signing_key": key(),
        "registry_public_key": key(),
        "credential_signing_key": key(),
        "vnpay_hash_secret": "vnp-" + os.urandom(16).hex(),
    }
