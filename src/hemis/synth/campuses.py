"""Campuses (1–4 per institution, land and floor areas), facilities by kind, resource summaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from hemis.synth.common import (
    FloatArray,
    IntArray,
    Stream,
    group_rank,
    pick,
    rng,
    stamps,
    weighted,
)
from hemis.synth.institutions import PLACES, InstitutionPlan

KINDS = (
    "lecture_hall",
    "classroom",
    "laboratory",
    "workshop",
    "library",
    "office",
    "dormitory",
    "sports",
    "other",
)
# Per kind: presence on a branch campus, share of floor area (Dirichlet weight), m² per room,
# rooms per building, m² per seat (0 = no seats).
_BRANCH_PRESENCE = np.array([0.9, 1.0, 0.7, 0.4, 0.6, 1.0, 0.4, 0.5, 0.3])
_AREA_WEIGHT = np.array([10.0, 30.0, 12.0, 5.0, 6.0, 12.0, 15.0, 6.0, 4.0])
_ROOM_M2 = np.array([200.0, 70.0, 90.0, 250.0, 400.0, 25.0, 30.0, 800.0, 100.0])
_ROOMS_PER_BUILDING = np.array([6.0, 40.0, 20.0, 4.0, 2.0, 60.0, 80.0, 2.0, 10.0])
_M2_PER_SEAT = np.array([1.1, 1.4, 3.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0])
STREETS = (
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ",
    "Nguyễn Văn Cừ", "Võ Văn Ngân", "Giải Phóng", "Xuân Thủy", "Cầu Giấy", "Phạm Văn Đồng",
    "Lê Duẩn", "Nguyễn Huệ", "Hùng Vương", "Quang Trung", "Trường Chinh", "3 Tháng 2",
)  # fmt: skip
YEARS = (2023, 2024, 2025)


@dataclass(frozen=True)
class CampusDraw:
    campuses: pl.DataFrame  # institution_id = institution index
    facilities: pl.DataFrame  # institution_id, campus_id = indices
    inst: IntArray  # institution of each campus
    land: FloatArray
    floor: FloatArray


def generate_campuses(seed: int, plan: InstitutionPlan, students: FloatArray) -> CampusDraw:
    g = rng(seed, Stream.campuses)
    n_inst = len(plan)
    rank = np.argsort(np.argsort(plan.size)) / max(n_inst - 1, 1)
    count = 1 + g.binomial(3, np.clip(0.1 + 0.5 * rank, 0, 0.85))
    inst = np.repeat(np.arange(n_inst, dtype=np.int64), count)
    n = len(inst)
    k = group_rank(inst)
    main = k == 0
    total_land = students * g.uniform(8, 35, n_inst) + 15_000
    total_floor = students * g.uniform(2.5, 6.0, n_inst) + 3_000
    share = np.where(main, 3.0, 1.0) * g.lognormal(0, 0.4, n)
    share = share / np.bincount(inst, weights=share)[inst]
    land = np.round(total_land[inst] * share, 2)
    floor = np.round(total_floor[inst] * share, 2)
    place = np.where(
        main | (g.random(n) < 0.7), plan.place[inst], weighted(g, [p.weight for p in PLACES], n)
    )
    place_name = pick([p.name for p in PLACES], place)
    street = pick(STREETS, g.integers(0, len(STREETS), n))
    number = pl.Series(g.integers(1, 400, n)).cast(pl.String)
    branch = "Cơ sở " + pl.Series(k + 1).cast(pl.String) + " – " + place_name
    campuses = pl.DataFrame(
        {
            "institution_id": inst,
            "code": "CS" + pl.Series(k + 1).cast(pl.String),
            "name": pl.Series(["Cơ sở chính"] * n).zip_with(pl.Series(main), branch),
            "address": "Số " + number + " đường " + street + ", " + place_name,
            "province_code": pick([p.code for p in PLACES], place),
            "is_main": main,
            "land_area_m2": land,
            "floor_area_m2": floor,
        }
    )
    facilities = _facilities(g, inst, main, floor)
    return CampusDraw(stamps(campuses), facilities, inst, land, floor)


def _facilities(
    g: np.random.Generator, inst: IntArray, main: np.ndarray, floor: FloatArray
) -> pl.DataFrame:
    n = len(inst)
    present = main[:, None] | (g.random((n, len(KINDS))) < _BRANCH_PRESENCE)
    raw = g.gamma(_AREA_WEIGHT, 1.0, (n, len(KINDS))) * present
    area = np.round(raw / raw.sum(axis=1, keepdims=True) * floor[:, None], 2)
    rooms = np.maximum(1, np.round(area / _ROOM_M2)).astype(np.int64)
    buildings = np.maximum(1, np.ceil(rooms / _ROOMS_PER_BUILDING)).astype(np.int64)
    seats = np.where(_M2_PER_SEAT > 0, area / np.where(_M2_PER_SEAT > 0, _M2_PER_SEAT, 1), 0)
    campus, kind = np.nonzero(present)
    return stamps(
        pl.DataFrame(
            {
                "institution_id": inst[campus],
                "campus_id": campus.astype(np.int64),
                "kind": pick(KINDS, kind),
                "building_count": buildings[campus, kind],
                "room_count": rooms[campus, kind],
                "floor_area_m2": area[campus, kind],
                "seats": np.floor(seats[campus, kind]).astype(np.int64),
            }
        )
    )


def generate_resources(
    seed: int, plan: InstitutionPlan, students: FloatArray, lecturers: IntArray
) -> pl.DataFrame:
    g = rng(seed, Stream.resources)
    n_inst = len(plan)
    inst = np.repeat(np.arange(n_inst, dtype=np.int64), len(YEARS))
    year = np.tile(np.array(YEARS, dtype=np.int64), n_inst)
    growth = 1.0 + 0.04 * (year - YEARS[-1])
    s = students[inst] * growth
    workspace_rate = np.clip(g.normal(0.8, 0.15, n_inst), 0.3, 1.0)[inst]
    titles = s * g.uniform(2, 8, n_inst)[inst] + 2_000
    bandwidth = np.array([100, 200, 500, 1000, 2000, 10000])
    tier = np.clip(np.floor(np.log10(np.maximum(s, 10)) * 1.5) - 3, 0, 5).astype(np.int64)
    return stamps(
        pl.DataFrame(
            {
                "institution_id": inst,
                "year": year,
                "lecturer_workspaces": np.round(lecturers[inst] * workspace_rate).astype(np.int64),
                "library_titles": np.round(titles).astype(np.int64),
                "library_ebooks": np.round(titles * g.uniform(0.2, 2.0, n_inst)[inst]).astype(
                    np.int64
                ),
                "online_databases": g.integers(0, 16, n_inst)[inst],
                "computers": np.round(s * g.uniform(0.05, 0.2, n_inst)[inst] + 20).astype(np.int64),
                "bandwidth_mbps": bandwidth[tier],
            }
        )
    )
