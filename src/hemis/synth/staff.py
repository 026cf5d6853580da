"""Staff: lecturers in the majority; degrees, titles, contracts, full-time/permanent/FTE mix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from hemis.common.crypto import IdCipher
from hemis.synth.common import (
    AS_OF_DAY,
    IntArray,
    Stream,
    apportion,
    as_dates,
    group_rank,
    pick,
    rng,
    stamps,
    weighted,
    year_start,
)
from hemis.synth.institutions import PLACES, InstitutionPlan
from hemis.synth.persons import (
    PersonDraw,
    SerialPool,
    build_persons,
    province_index,
    province_weights,
)

POSITIONS = ("lecturer", "researcher", "manager", "administrative", "technical")
DEGREES = ("none", "bachelor", "master", "doctor")
CONTRACTS = ("civil_servant", "indefinite", "fixed_term", "visiting")
TITLES = ("none", "associate_professor", "professor")
COUNTRIES = ("VN", "US", "GB", "AU", "FR", "JP", "KR", "DE", "RU", "CN", "TW", "SG", "NL", "CA")
_COUNTRY_WEIGHT = (0.75, 0.04, 0.03, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01, 0.01, 0.0, 0.0, 0.0)
# Degree mix (none, bachelor, master, doctor) by position.
_DEGREE_MIX = np.array(
    [
        [0.00, 0.06, 0.64, 0.30],
        [0.00, 0.15, 0.45, 0.40],
        [0.00, 0.05, 0.45, 0.50],
        [0.10, 0.65, 0.25, 0.00],
        [0.30, 0.60, 0.10, 0.00],
    ]
)
_CONTRACT_MIX = np.array([[0.55, 0.25, 0.12, 0.08], [0.0, 0.55, 0.30, 0.15]])
FACULTIES = {
    "14": "Khoa Sư phạm", "21": "Khoa Nghệ thuật", "22": "Khoa Ngữ văn",
    "31": "Khoa Khoa học Xã hội", "32": "Khoa Báo chí – Truyền thông",
    "34": "Khoa Quản trị Kinh doanh", "38": "Khoa Luật", "42": "Khoa Sinh học",
    "44": "Khoa Khoa học Tự nhiên", "46": "Khoa Toán – Thống kê",
    "48": "Khoa Công nghệ Thông tin", "51": "Khoa Công nghệ Kỹ thuật", "52": "Khoa Kỹ thuật",
    "54": "Khoa Công nghệ Thực phẩm", "58": "Khoa Xây dựng", "62": "Khoa Nông học",
    "64": "Khoa Thú y", "72": "Khoa Y", "76": "Khoa Công tác Xã hội", "81": "Khoa Du lịch",
    "84": "Khoa Vận tải", "85": "Khoa Môi trường", "86": "Khoa Nghiệp vụ An ninh",
}  # fmt: skip
OFFICES = (
    "Phòng Đào tạo", "Phòng Tổ chức – Hành chính", "Phòng Kế hoạch – Tài chính",
    "Phòng Công tác Sinh viên", "Phòng Quản trị – Thiết bị", "Thư viện",
    "Trung tâm Công nghệ Thông tin", "Phòng Khoa học Công nghệ",
)  # fmt: skip


@dataclass(frozen=True)
class StaffDraw:
    persons: pl.DataFrame
    staff: pl.DataFrame  # "person_id" = index into persons, "inst" = institution index
    lecturers: IntArray  # lecturers per institution


def _units(
    g: np.random.Generator, plan: InstitutionPlan, inst: IntArray, position: IntArray
) -> pl.Series:
    names = list(FACULTIES.values()) + list(OFFICES) + ["Ban Giám hiệu"]
    index = np.zeros(len(inst), dtype=np.int64)
    codes = list(FACULTIES)
    for i in np.unique(inst):
        mask = inst == i
        fields = [codes.index(f) for f in plan.theme[int(i)].fields if f in FACULTIES]
        index[mask] = np.asarray(fields)[g.integers(0, len(fields), int(mask.sum()))]
    office = len(FACULTIES) + g.integers(0, len(OFFICES), len(inst))
    index = np.where(np.isin(position, [3, 4]), office, index)
    leaders = (position == 2) & (g.random(len(inst)) < 0.3)
    index = np.where(leaders, len(names) - 1, index)
    return pick(names, index, "unit")


def generate_staff(
    seed: int,
    plan: InstitutionPlan,
    n_staff: int,
    serials: SerialPool,
    cipher: IdCipher,
    ethnicities: tuple[str, ...],
) -> StaffDraw:
    g = rng(seed, Stream.staff)
    per_inst = apportion(n_staff, plan.size**0.9, minimum=1)
    inst = np.repeat(np.arange(len(plan)), per_inst)
    n = len(inst)
    position = weighted(g, [0.70, 0.05, 0.07, 0.13, 0.05], n)
    age = 25 + np.floor(41 * g.beta(2.2, 2.6, n)).astype(np.int64)
    birth_year = 2025 - age
    female = g.random(n) < 0.5
    # Degree: the position's mix, doctorates likelier with age and at doctoral institutions.
    u = g.random(n)
    mix = _DEGREE_MIX[position].copy()
    boost = (0.6 + 0.9 * np.clip((age - 28) / 30, 0, 1)) * np.where(
        plan.trains_doctorates[inst], 1.4, 1.0
    )
    mix[:, 3] = np.minimum(mix[:, 3] * boost, 0.9)
    mix[:, 2] = np.maximum(1 - mix[:, 0] - mix[:, 1] - mix[:, 3], 0)
    degree = (u[:, None] > np.cumsum(mix, axis=1)[:, :3]).sum(axis=1)
    titled = (degree == 3) & (age >= 38)
    t = g.random(n)
    title = np.where(titled & (t < 0.06) & (age >= 45), 2, np.where(titled & (t < 0.30), 1, 0))
    private = (plan.ownership[inst] > 0).astype(np.int64)
    c = g.random(n)
    contract = (c[:, None] > np.cumsum(_CONTRACT_MIX[private], axis=1)[:, :3]).sum(axis=1)
    full_time = (contract != 3) & ~((contract == 2) & (g.random(n) < 0.2))
    permanent = contract <= 1
    fte = np.where(full_time, 1.0, np.array([0.25, 0.5, 0.75])[g.integers(0, 3, n)])
    country = weighted(g, _COUNTRY_WEIGHT, n)
    degree_year = np.minimum(
        birth_year + np.array([22, 22, 25, 30])[degree] + g.integers(0, 9, n), 2025
    )
    has_degree = degree > 0
    civil_id = (contract == 0) & (g.random(n) < 0.55)
    hire_lo = np.maximum(year_start(birth_year + 23), plan.established[inst])
    hire_lo = np.minimum(hire_lo, AS_OF_DAY - 30)
    hired = hire_lo + ((AS_OF_DAY - hire_lo) * g.beta(1.3, 1.6, n)).astype(np.int64)
    home = np.array([province_index(p.code_63) for p in PLACES])[plan.place[inst]]
    province = np.where(g.random(n) < 0.45, home, weighted(g, province_weights(), n))
    persons = build_persons(
        rng(seed, Stream.staff_persons),
        PersonDraw(female=female, birth_year=birth_year, province=province),
        serials,
        cipher,
        ethnicities,
    )
    serial = group_rank(inst) + 1
    civil_number = pl.Series(np.arange(n, dtype=np.int64) + 1).cast(pl.String).str.zfill(8)
    staff = pl.DataFrame(
        {
            "inst": inst,
            "person_id": np.arange(n, dtype=np.int64),
            "staff_code": "CB" + pl.Series(serial).cast(pl.String).str.zfill(5),
            "unit": _units(g, plan, inst, position),
            "position": pick(POSITIONS, position),
            "contract_type": pick(CONTRACTS, contract),
            "full_time": full_time,
            "permanent": permanent,
            "fte": fte,
            "highest_degree": pick(DEGREES, degree),
            "degree_country": pick(COUNTRIES, country).zip_with(
                pl.Series(has_degree), pl.Series([None] * n, dtype=pl.String)
            ),
            "degree_year": pl.Series(degree_year).zip_with(
                pl.Series(has_degree), pl.Series([None] * n, dtype=pl.Int64)
            ),
            "academic_title": pick(TITLES, title),
            "civil_servant_id": ("CC" + civil_number).zip_with(
                pl.Series(civil_id), pl.Series([None] * n, dtype=pl.String)
            ),
            "hired_on": as_dates(hired),
        }
    )
    lecturers = np.bincount(inst[position == 0], minlength=len(plan))
    return StaffDraw(persons, stamps(staff), np.asarray(lecturers, dtype=np.int64))
