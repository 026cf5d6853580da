"""Institutions: type and ownership mix, location, theme, name and relative size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from hemis.common.text import fold
from hemis.registry.reference import current_province
from hemis.synth.common import (
    BoolArray,
    FloatArray,
    IntArray,
    Stream,
    apportion,
    as_dates,
    day_number,
    rng,
    stamps,
    weighted,
)


@dataclass(frozen=True)
class Place:
    """A seat of institutions: its province in the 63-province map (3-digit code), its weight."""

    code_63: str
    name: str
    weight: float

    @property
    def code(self) -> str:
        """The 34-province code since 1 Jul 2025 (Resolution 202/2025/QH15 merger map)."""
        return current_province(self.code_63)


# Weighted to Hà Nội and Hồ Chí Minh City, where most institutions are.
PLACES = (
    Place("001", "Hà Nội", 0.36),
    Place("079", "TP. Hồ Chí Minh", 0.25),
    Place("048", "Đà Nẵng", 0.05),
    Place("031", "Hải Phòng", 0.03),
    Place("092", "Cần Thơ", 0.03),
    Place("046", "Huế", 0.03),
    Place("019", "Thái Nguyên", 0.03),
    Place("040", "Nghệ An", 0.025),
    Place("074", "Bình Dương", 0.03),
    Place("075", "Đồng Nai", 0.02),
    Place("038", "Thanh Hóa", 0.015),
    Place("056", "Khánh Hòa", 0.015),
    Place("068", "Lâm Đồng", 0.015),
    Place("066", "Đắk Lắk", 0.015),
    Place("022", "Quảng Ninh", 0.01),
    Place("042", "Hà Tĩnh", 0.01),
    Place("086", "Vĩnh Long", 0.01),
    Place("052", "Bình Định", 0.01),
    Place("045", "Quảng Trị", 0.005),
    Place("037", "Ninh Bình", 0.005),
    Place("024", "Bắc Giang", 0.005),
    Place("033", "Hưng Yên", 0.005),
    Place("091", "Kiên Giang", 0.005),
)


@dataclass(frozen=True)
class Theme:
    vi: str
    en: str
    fields: tuple[str, ...]  # preferred discipline fields (digits 2–3 of the code)
    governing_body: str = "Bộ Giáo dục và Đào tạo"
    specialised: bool = False


THEMES = (
    Theme("Bách khoa", "Polytechnic", ("52", "51", "48", "44", "46", "58", "54")),
    Theme("Kinh tế", "Economics", ("34", "31", "38", "46")),
    Theme("Công nghệ", "Technology", ("48", "51", "52", "46")),
    Theme("Sư phạm", "Education", ("14", "22", "44", "46", "21")),
    Theme("Y Dược", "Medicine and Pharmacy", ("72", "42"), "Bộ Y tế", True),
    Theme("Luật", "Law", ("38", "31"), specialised=True),
    Theme(
        "Nông Lâm",
        "Agriculture and Forestry",
        ("62", "64", "42", "85", "54"),
        "Bộ Nông nghiệp và Môi trường",
    ),
    Theme("Xây dựng", "Civil Engineering", ("58", "52", "51"), "Bộ Xây dựng"),
    Theme("Ngoại ngữ", "Foreign Languages", ("22", "14", "81")),
    Theme(
        "Khoa học Xã hội và Nhân văn", "Social Sciences and Humanities", ("22", "31", "32", "76")
    ),
    Theme("Khoa học Tự nhiên", "Science", ("44", "46", "42", "48", "85")),
    Theme(
        "Văn hóa Nghệ thuật",
        "Culture and Arts",
        ("21", "22", "81"),
        "Bộ Văn hóa, Thể thao và Du lịch",
        True,
    ),
    Theme("Giao thông Vận tải", "Transport", ("52", "51", "84", "58"), "Bộ Xây dựng"),
    Theme("Tài chính – Ngân hàng", "Finance and Banking", ("34", "46", "38"), "Bộ Tài chính"),
    Theme("Công nghiệp", "Industry", ("51", "52", "54", "48", "34"), "Bộ Công Thương"),
    Theme("Thủy lợi", "Water Resources", ("58", "52", "85", "62"), "Bộ Nông nghiệp và Môi trường"),
    Theme("Du lịch", "Tourism", ("81", "34", "22"), "Bộ Văn hóa, Thể thao và Du lịch"),
    Theme("Thể dục Thể thao", "Sport", ("81", "14"), "Bộ Văn hóa, Thể thao và Du lịch", True),
    Theme("Kiến trúc", "Architecture", ("58", "21"), "Bộ Xây dựng", True),
    Theme("Hàng hải", "Maritime", ("84", "52", "51"), "Bộ Xây dựng"),
    Theme("Báo chí và Truyền thông", "Journalism and Communication", ("32", "31", "22")),
    Theme("An ninh", "Security", ("86", "38"), "Bộ Công an", True),
)
# Private and foreign-invested institutions: multidisciplinary, named after a word.
MULTI = Theme("Đa ngành", "Multidisciplinary", ("34", "48", "22", "81", "38", "51", "72", "58"))
PRIVATE_WORDS = (
    "Phương Đông", "Thăng Long", "Hùng Vương", "Văn Hiến", "Nam Việt", "Đông Á", "Hòa Bình",
    "Đại Nam", "Tân Tạo", "Lạc Hồng", "Hồng Bàng", "Duy Tân", "Văn Lang", "Hoa Sen", "Gia Định",
    "Quang Trung", "Trưng Vương", "Bắc Hà", "Phan Châu Trinh", "Thành Đô", "Kinh Bắc", "Sao Đỏ",
    "Việt Bắc", "Trí Việt", "An Phú", "Tây Đô", "Cửu Long", "Đông Đô", "Phú Xuân", "Hải Vân",
    "Nguyễn Trãi", "Lương Thế Vinh", "Chu Văn An", "Trường Sơn", "Sông Hồng", "Bình Minh",
)  # fmt: skip

TYPES = ("university", "academy", "institute", "college")
OWNERSHIP = ("public", "private", "foreign_invested")
_PUBLIC_TYPE_MIX = np.array([0.62, 0.17, 0.05, 0.16])
_SIZE_BY_TYPE = np.array([1.0, 0.6, 0.25, 0.35])
_SIZE_BY_OWNERSHIP = np.array([1.0, 0.8, 0.3])


@dataclass(frozen=True)
class InstitutionPlan:
    """The institution rows (ids not yet assigned) and what later entities need to know."""

    frame: pl.DataFrame
    size: FloatArray  # relative share of learners
    type: IntArray  # index into TYPES
    ownership: IntArray  # index into OWNERSHIP
    place: IntArray  # index into PLACES
    theme: list[Theme]
    established: IntArray  # day numbers
    trains_doctorates: BoolArray

    def __len__(self) -> int:
        return len(self.size)


def _mix(g: np.random.Generator, n: int) -> tuple[IntArray, IntArray]:
    """Exact ownership and type mix (apportioned, then shuffled)."""
    ownership = np.repeat(np.arange(3), apportion(n, np.array([0.60, 0.37, 0.03])))
    kind = np.zeros(n, dtype=np.int64)
    public = np.flatnonzero(ownership == 0)
    kind[public] = np.repeat(np.arange(4), apportion(len(public), _PUBLIC_TYPE_MIX))
    private = np.flatnonzero(ownership == 1)
    kind[private] = np.repeat([0, 3], apportion(len(private), np.array([0.9, 0.1])))
    order = g.permutation(n)
    return ownership[order], kind[order]


def _unique(name: str, place: str, used: set[str]) -> str:
    candidates = [name, f"{name} {place}"] if place not in name else [name]
    for candidate in candidates + [f"{name} {k}" for k in range(2, 1000)]:
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise ValueError("no free institution name")


def _names(kind: str, own: str, theme: Theme, word: str, place: Place) -> tuple[str, str]:
    place_en = fold(place.name).title().replace("Tp. ", "")
    if own != "public":
        prefix = "Quốc tế " if own == "foreign_invested" else ""
        body = "Trường Đại học" if kind == "university" else "Trường Cao đẳng"
        label_en = "International University" if own == "foreign_invested" else "University"
        if kind == "college":
            label_en = "College"
        return f"{body} {prefix}{word}", f"{fold(word).title()} {label_en}"
    if kind == "academy":
        return f"Học viện {theme.vi}", f"Academy of {theme.en}"
    if kind == "institute":
        return f"Viện {theme.vi}", f"Institute of {theme.en}"
    if kind == "college":
        return f"Trường Cao đẳng {theme.vi} {place.name}", f"{place_en} College of {theme.en}"
    return f"Trường Đại học {theme.vi} {place.name}", f"{place_en} University of {theme.en}"


def _initials(name: str) -> str:
    words = [w for w in fold(name).upper().split() if w.isalpha()]
    skip = {"TRUONG", "DAI", "HOC", "VIEN", "CAO", "DANG"}
    letters = "".join(w[0] for w in words if w not in skip)
    return (letters + "XXX")[:3]


def plan_institutions(seed: int, n: int) -> InstitutionPlan:
    g = rng(seed, Stream.institutions)
    ownership, kind = _mix(g, n)
    place = weighted(g, [p.weight for p in PLACES], n)
    general = [t for t in THEMES if t.vi != "An ninh"]
    theme_idx = g.integers(0, len(general), n)
    themes: list[Theme] = []
    size = g.lognormal(0.0, 0.9, n) * _SIZE_BY_TYPE[kind] * _SIZE_BY_OWNERSHIP[ownership]
    first_year = np.where(ownership == 0, g.integers(1956, 2013, n), g.integers(1994, 2021, n))
    established = np.asarray(
        [day_number(dt.date(int(y), 9, 1)) for y in first_year], dtype=np.int64
    ) + g.integers(-60, 60, n)
    doctoral_chance = np.where(ownership == 0, np.where(kind == 3, 0.0, 0.55), 0.05)
    big = size >= np.median(size)
    trains = (g.random(n) < doctoral_chance) & (big | (kind == 1))
    words = g.permutation(len(PRIVATE_WORDS))
    used: set[str] = set()
    rows: dict[str, list[object]] = {k: [] for k in ("moet_code", "name_vi", "name_en")}
    rows.update({"governing_body": [], "website": []})
    for i in range(n):
        own = OWNERSHIP[ownership[i]]
        theme = general[theme_idx[i]] if own == "public" else MULTI
        if own == "public" and kind[i] == 1 and g.random() < 0.08:
            theme = THEMES[-1]  # a security academy now and then
        themes.append(theme)
        word = PRIVATE_WORDS[words[i % len(words)]]
        vi, en = _names(TYPES[kind[i]], own, theme, word, PLACES[place[i]])
        name_vi = _unique(vi, PLACES[place[i]].name, used)
        suffix = name_vi[len(vi) :]
        code = f"{_initials(name_vi)}{i + 1:03d}"
        rows["moet_code"].append(code)
        rows["name_vi"].append(name_vi)
        rows["name_en"].append(en + fold(suffix).title())
        body = theme.governing_body
        if own != "public":
            body = f"Công ty Cổ phần Giáo dục {word}"
        elif kind[i] == 3:
            body = f"Ủy ban nhân dân {PLACES[place[i]].name}"
        rows["governing_body"].append(body)
        rows["website"].append(f"https://{code.lower()}.edu.vn")
    frame = pl.DataFrame(
        {
            "moet_code": rows["moet_code"],
            "name_vi": rows["name_vi"],
            "name_en": rows["name_en"],
            "name_folded": [fold(str(v)) for v in rows["name_vi"]],
            "type": [TYPES[k] for k in kind],
            "ownership": [OWNERSHIP[o] for o in ownership],
            "governing_body": rows["governing_body"],
            "province_code": [PLACES[p].code for p in place],
            "province_code_63": [PLACES[p].code_63 for p in place],
            "status": ["active"] * n,
            "trains_doctorates": trains.tolist(),
            "specialised": [t.specialised for t in themes],
            "established_on": as_dates(established),
            "website": rows["website"],
        },
        schema_overrides={"name_en": pl.String, "website": pl.String},
    )
    return InstitutionPlan(
        frame=stamps(frame),
        size=np.asarray(size, dtype=np.float64),
        type=kind,
        ownership=ownership,
        place=place,
        theme=themes,
        established=established,
        trains_doctorates=np.asarray(trains, dtype=np.bool_),
    )
