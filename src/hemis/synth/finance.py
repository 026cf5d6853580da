"""Finance (Circular 09/2024 taxonomy, đồng): revenue by source × activity and expenditure by
category per fiscal year, and the institutions' assets."""

from __future__ import annotations

import numpy as np
import polars as pl

from hemis.synth.campuses import CampusDraw
from hemis.synth.common import (
    AS_OF_DAY,
    FloatArray,
    Stream,
    as_dates,
    money,
    pick,
    rng,
    stamps,
)
from hemis.synth.institutions import InstitutionPlan

FISCAL_YEARS = (2022, 2023, 2024)
SOURCES = ("state_budget", "tuition_fees", "sponsorship_contracts", "other")
ACTIVITIES = ("training", "science_technology", "other")
CATEGORIES = ("salaries", "facilities_services", "student_support", "other")
# Đồng per student-year, by ownership (public, private, foreign-invested).
_FEE = np.array([22e6, 38e6, 180e6])
_SOURCE_MIX = np.array([[0.18, 0.67, 0.05, 0.10], [0.0, 0.88, 0.04, 0.08], [0.0, 0.92, 0.03, 0.05]])
_ACTIVITY_MIX = np.array([[0.70, 0.25, 0.05], [1.0, 0.0, 0.0], [0.3, 0.6, 0.1], [0.3, 0.1, 0.6]])
_SPENDING_MIX = np.array([0.48, 0.27, 0.07, 0.18])


def generate_finance(
    seed: int, plan: InstitutionPlan, students: FloatArray
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(revenue, expenditure) rows; institution_id = institution index."""
    g = rng(seed, Stream.finance)
    n_inst, n_years = len(plan), len(FISCAL_YEARS)
    growth = 1.06 ** np.arange(n_years)
    total = (
        students[:, None]
        * _FEE[plan.ownership][:, None]
        * growth[None, :]
        * g.lognormal(0, 0.15, (n_inst, n_years))
    )
    source = _SOURCE_MIX[plan.ownership][:, None, :] * g.lognormal(0, 0.25, (n_inst, n_years, 4))
    source = source / source.sum(axis=2, keepdims=True)
    amount = total[:, :, None, None] * source[:, :, :, None] * _ACTIVITY_MIX[None, None, :, :]
    amounts = money(amount.reshape(-1))
    inst, year, src, act = np.unravel_index(np.arange(amounts.size), amount.shape)
    keep = amounts > 0
    revenue = pl.DataFrame(
        {
            "institution_id": inst[keep].astype(np.int64),
            "fiscal_year": np.array(FISCAL_YEARS)[year[keep]],
            "source": pick(SOURCES, src[keep]),
            "activity": pick(ACTIVITIES, act[keep]),
            "amount_vnd": amounts[keep],
        }
    )
    spent = total * g.uniform(0.85, 1.0, (n_inst, n_years))
    shares = _SPENDING_MIX * g.lognormal(0, 0.15, (n_inst, n_years, 4))
    shares = shares / shares.sum(axis=2, keepdims=True)
    cost = money((spent[:, :, None] * shares).reshape(-1))
    inst2, year2, cat = np.unravel_index(np.arange(cost.size), (n_inst, n_years, 4))
    expenditure = pl.DataFrame(
        {
            "institution_id": inst2.astype(np.int64),
            "fiscal_year": np.array(FISCAL_YEARS)[year2],
            "category": pick(CATEGORIES, cat),
            "amount_vnd": cost,
        }
    )
    return stamps(revenue), stamps(expenditure)


def generate_assets(seed: int, plan: InstitutionPlan, campuses: CampusDraw) -> pl.DataFrame:
    """Land and buildings per campus; equipment, vehicles and software per institution."""
    g = rng(seed, Stream.assets)
    big_city = np.isin(plan.place, [0, 1])  # Hà Nội, Hồ Chí Minh City
    land_price = np.where(big_city, 20e6, 3e6)  # đồng per m² (book value)
    rows: dict[str, list[object]] = {
        "institution_id": [],
        "category": [],
        "description": [],
        "acquired_on": [],
        "value_vnd": [],
    }
    names = campuses.campuses["name"].to_list()

    def add(inst: int, category: str, text: str, value: float) -> None:
        start = int(plan.established[inst])
        rows["institution_id"].append(inst)
        rows["category"].append(category)
        rows["description"].append(text)
        rows["acquired_on"].append(start + int(g.random() * max(AS_OF_DAY - start, 1)))
        rows["value_vnd"].append(int(money(np.array([value]))[0]))

    for c, inst in enumerate(campuses.inst.tolist()):
        add(inst, "land", f"Quyền sử dụng đất – {names[c]}", campuses.land[c] * land_price[inst])
        buildings = int(g.integers(1, 6))
        for b in range(buildings):
            area = campuses.floor[c] / buildings
            add(inst, "building", f"Nhà {chr(65 + b)}{c + 1} – {names[c]}", area * 9e6)
    for inst in range(len(plan)):
        for e in range(int(g.integers(3, 16))):
            add(inst, "equipment", f"Thiết bị đào tạo, thí nghiệm – lô {e + 1}", g.lognormal(21, 1))
        for v in range(int(g.integers(0, 5))):
            add(inst, "vehicle", f"Xe ô tô phục vụ công tác {v + 1}", g.uniform(6e8, 1.6e9))
        for s in range(int(g.integers(0, 4))):
            add(inst, "intangible", f"Phần mềm quản lý {s + 1}", g.uniform(2e8, 3e9))
    frame = pl.DataFrame(
        {
            "institution_id": pl.Series(rows["institution_id"], dtype=pl.Int64),
            "category": pl.Series(rows["category"], dtype=pl.String),
            "description": pl.Series(rows["description"], dtype=pl.String),
            "acquired_on": as_dates(np.array(rows["acquired_on"], dtype=np.int64)),
            "value_vnd": pl.Series(rows["value_vnd"], dtype=pl.Int64),
        }
    )
    return stamps(frame)
