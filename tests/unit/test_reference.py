"""National reference data: the files, the lookups, and the loader on both databases."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from hemis.db.base import table_of
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry import reference as ref
from hemis.registry.models import (
    Discipline,
    DisciplineIsced,
    Ethnicity,
    IscedField,
    Program,
    Province,
    ProvinceMerger,
)
from tests import factories

REGIONS = {
    "Đồng bằng sông Hồng",
    "Trung du và miền núi phía Bắc",
    "Bắc Trung Bộ và Duyên hải miền Trung",
    "Tây Nguyên",
    "Đông Nam Bộ",
    "Đồng bằng sông Cửu Long",
}


def _files() -> list[str]:
    data = resources.files("hemis.registry.data")
    return sorted(p.name for p in data.iterdir() if p.name.endswith(".csv"))


# --- the files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _files())
def test_files_are_nfc_utf8_with_lf(name: str) -> None:
    raw = resources.files("hemis.registry.data").joinpath(name).read_bytes()
    text = raw.decode("utf-8")
    assert "\r" not in text
    assert unicodedata.normalize("NFC", text) == text


def test_every_data_file_has_a_source_section() -> None:
    sources = resources.files("hemis.registry.data").joinpath("SOURCES.md").read_text("utf-8")
    for name in _files():
        assert f"## {name}" in sources, name


def test_63_provinces_with_regions() -> None:
    rows = ref.province_63_rows()
    assert len(rows) == len({r["code"] for r in rows}) == 63
    assert all(r["valid_to"] == dt.date(2025, 6, 30) for r in rows)
    by_region = Counter(r["region"] for r in rows)
    assert set(by_region) == REGIONS
    assert by_region == {
        "Đồng bằng sông Hồng": 11,
        "Trung du và miền núi phía Bắc": 14,
        "Bắc Trung Bộ và Duyên hải miền Trung": 14,
        "Tây Nguyên": 5,
        "Đông Nam Bộ": 6,
        "Đồng bằng sông Cửu Long": 13,
    }


def test_34_provinces() -> None:
    rows = ref.province_34_rows()
    codes = {r["code"] for r in rows}
    assert len(rows) == len(codes) == 34
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert all(r["valid_from"] == dt.date(2025, 7, 1) and r["valid_to"] is None for r in rows)
    assert {r["region"] for r in rows} == REGIONS
    names = {r["code"]: r["name_vi"] for r in rows}
    assert names["001"] == "Hà Nội"
    assert names["079"] == "TP. Hồ Chí Minh"
    assert names["046"] == "Huế"
    # The surviving province's name, with the code of the seat's old province.
    assert names["015"] == "Lào Cai"
    assert names["052"] == "Gia Lai"
    assert names["080"] == "Tây Ninh"


def test_mergers_map_each_old_province_onto_a_34_province() -> None:
    rows = ref.province_merger_rows()
    old = {r["code"] for r in ref.province_63_rows()}
    new = {r["code"] for r in ref.province_34_rows()}
    assert len(rows) == 63
    assert {r["old_code"] for r in rows} == old
    assert {r["new_code"] for r in rows} == new
    assert all(r["effective_on"] == dt.date(2025, 7, 1) for r in rows)
    assert all(r["source"] == "Resolution 202/2025/QH15" for r in rows)
    merged = Counter(r["new_code"] for r in rows)
    assert sum(1 for n in merged.values() if n == 1) == 11  # unchanged provinces
    assert sum(1 for n in merged.values() if n == 3) == 6  # three merged into one


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("001", "001"),  # Hà Nội, unchanged
        ("046", "046"),  # Thừa Thiên Huế → Huế
        ("002", "008"),  # Hà Giang → Tuyên Quang
        ("010", "015"),  # Lào Cai → Lào Cai (code 15, seat in Yên Bái)
        ("015", "015"),  # Yên Bái → Lào Cai
        ("026", "025"),  # Vĩnh Phúc → Phú Thọ
        ("017", "025"),  # Hòa Bình → Phú Thọ
        ("027", "024"),  # Bắc Ninh → Bắc Ninh (code 24)
        ("062", "051"),  # Kon Tum → Quảng Ngãi
        ("064", "052"),  # Gia Lai → Gia Lai (code 52)
        ("060", "068"),  # Bình Thuận → Lâm Đồng
        ("077", "079"),  # Bà Rịa - Vũng Tàu → TP. Hồ Chí Minh
        ("072", "080"),  # Tây Ninh → Tây Ninh (code 80)
        ("087", "082"),  # Đồng Tháp → Đồng Tháp (code 82)
        ("089", "091"),  # An Giang → An Giang (code 91)
        ("094", "092"),  # Sóc Trăng → Cần Thơ
        ("095", "096"),  # Bạc Liêu → Cà Mau
    ],
)
def test_current_province(old: str, new: str) -> None:
    assert ref.current_province(old) == new


def test_region_of_needs_the_generation() -> None:
    assert ref.region_of("052", generation=63) == "Bắc Trung Bộ và Duyên hải miền Trung"
    assert ref.region_of("052", generation=34) == "Tây Nguyên"
    assert ref.region_of("080", generation=63) == "Đồng bằng sông Cửu Long"
    assert ref.region_of("080", generation=34) == "Đông Nam Bộ"
    assert ref.province_name("052", generation=63) == "Bình Định"
    with pytest.raises(KeyError):
        ref.region_of("002", generation=34)  # Hà Giang is gone
    with pytest.raises(KeyError):
        ref.current_province("999")


def test_54_ethnicities() -> None:
    rows = ref.ethnicity_rows()
    assert [r["code"] for r in rows] == [f"{i:02d}" for i in range(1, 55)]
    names = {r["code"]: r["name_vi"] for r in rows}
    assert len(set(names.values())) == 54
    assert [names[c] for c in ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")] == [
        "Kinh",
        "Tày",
        "Thái",
        "Hoa",
        "Khơ-me",
        "Mường",
        "Nùng",
        "HMông",
        "Dao",
        "Gia-rai",
    ]
    assert names["54"] == "Rơ măm"


def test_isced_f_2013_fields() -> None:
    rows = ref.isced_field_rows()
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert Counter(len(c) for c in codes) == {2: 11, 3: 29, 4: 80}
    assert {c for c in codes if len(c) == 2} == {f"{i:02d}" for i in range(11)}
    for code in codes:
        if len(code) > 2:
            assert code[: len(code) - 1 if len(code) == 4 else 2] in codes, code
    names = {r["code"]: r["name_en"] for r in rows}
    assert names["0613"] == "Software and applications development and analysis"
    assert names["1031"] == "Military and defence"


def test_every_discipline_maps_to_a_detailed_isced_field() -> None:
    detailed = {r["code"] for r in ref.isced_field_rows() if len(r["code"]) == 4}
    rows = ref.discipline_isced_rows()
    assert len(rows) == len({r["discipline_code"] for r in rows}) == 650
    assert all(r["isced_code"] in detailed for r in rows)
    assert all(r["mapping_version"] == "hemis-2026.1" for r in rows)
    assert all(r["valid_from"] == dt.date(2026, 1, 1) for r in rows)


def test_isced_rules_are_all_used_and_valid() -> None:
    detailed = {r["code"] for r in ref.isced_field_rows() if len(r["code"]) == 4}
    groups, disciplines = ref.isced_rules()
    codes = [d["code"] for d in ref.discipline_rows()]
    assert set(groups) == {c[1:5] for c in codes}
    assert set(disciplines) <= {c[1:7] for c in codes}
    assert set(groups.values()) | set(disciplines.values()) <= detailed


@pytest.mark.parametrize(
    ("discipline", "isced"),
    [
        ("7480201", "0613"),  # Công nghệ thông tin
        ("9480101", "0613"),  # Khoa học máy tính, doctor
        ("7480102", "0612"),  # Mạng máy tính và truyền thông dữ liệu
        ("7480106", "0714"),  # Kỹ thuật máy tính
        ("7140201", "0112"),  # Giáo dục Mầm non
        ("7140202", "0113"),  # Giáo dục Tiểu học
        ("7140209", "0114"),  # Sư phạm Toán học
        ("7220201", "0231"),  # Ngôn ngữ Anh
        ("7340101", "0413"),  # Quản trị kinh doanh
        ("7340115", "0414"),  # Marketing
        ("7340301", "0411"),  # Kế toán
        ("7380101", "0421"),  # Luật
        ("8440112", "0531"),  # Hóa học
        ("8440104", "0533"),  # Vật lý chất rắn (group rule)
        ("7520201", "0713"),  # Kỹ thuật điện
        ("7580201", "0732"),  # Kỹ thuật xây dựng
        ("7720101", "0912"),  # Y khoa
        ("7720115", "0917"),  # Y học cổ truyền
        ("7810101", "1015"),  # Du lịch
        ("7860201", "1031"),  # Chỉ huy tham mưu Lục quân
    ],
)
def test_isced_for(discipline: str, isced: str) -> None:
    assert ref.isced_for(discipline) == isced


def test_isced_for_unknown_group() -> None:
    with pytest.raises(KeyError):
        ref.isced_for("7999999")


# --- the loader, on SQLite and PostgreSQL ----------------------------------------------------


def _count(conn: Any, model: type[Any], *where: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in ((n, table_of(m)) for n, m in ref.MODELS.items())
        }


def test_migration_loaded_everything(owner_engine: Engine) -> None:
    with owner_engine.connect() as conn:
        assert _count(conn, Province, Province.generation == 63) == 63
        assert _count(conn, Province, Province.generation == 34) == 34
        assert _count(conn, Province, Province.region == "") == 0
        assert _count(conn, ProvinceMerger) == 63
        orphans = (
            select(func.count())
            .select_from(ProvinceMerger)
            .outerjoin(
                Province,
                (Province.generation == 34) & (Province.code == ProvinceMerger.new_code),
            )
            .where(Province.code.is_(None))
        )
        assert conn.execute(orphans).scalar_one() == 0
        assert _count(conn, Ethnicity) == 54
        assert _count(conn, IscedField, func.length(IscedField.code) == 2) == 11
        assert _count(conn, IscedField, func.length(IscedField.code) == 3) == 29
        assert _count(conn, IscedField, func.length(IscedField.code) == 4) == 80
        assert _count(conn, Discipline) == 650
        mapped = (
            select(func.count())
            .select_from(DisciplineIsced)
            .join(Discipline, Discipline.code == DisciplineIsced.discipline_code)
            .join(IscedField, IscedField.code == DisciplineIsced.isced_code)
            .where(
                DisciplineIsced.mapping_version == "hemis-2026.1",
                func.length(IscedField.code) == 4,
            )
        )
        assert conn.execute(mapped).scalar_one() == 650


def test_load_all_is_idempotent(owner_engine: Engine) -> None:
    before = _table_counts(owner_engine)
    with owner_engine.begin() as conn:
        first = ref.load_all(conn)
    with owner_engine.begin() as conn:
        second = ref.load_all(conn)
    with owner_engine.begin() as conn:
        third = ref.sync_all(conn)
    assert first == second == {name: r.rows for name, r in third.items()}
    assert first["province"] == 97
    assert first["discipline"] == first["discipline_isced"] == 650
    assert not any(r.changed or r.kept for r in third.values())
    assert _table_counts(owner_engine) == before


def test_load_all_fills_an_empty_database_and_repairs_edits(owner_engine: Engine) -> None:
    with owner_engine.begin() as conn:
        conn.execute(table_of(ProvinceMerger).delete())
        conn.execute(table_of(Ethnicity).update().where(Ethnicity.code == "05").values(name_vi="x"))
    with owner_engine.begin() as conn:
        result = ref.sync_all(conn)
    assert result["province_merger"].inserted == 63
    assert result["ethnicity"].updated == 1
    with owner_engine.connect() as conn:
        name = conn.execute(select(Ethnicity.name_vi).where(Ethnicity.code == "05")).scalar_one()
    assert name == "Khơ-me"


def test_loader_retires_a_referenced_discipline_instead_of_deleting_it(
    owner_engine: Engine,
    sessions: sessionmaker[HemisSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        prog = factories.program(s, factories.institution(s), discipline_code="7480201")
        s.commit()
        program_id = prog.id

    full = ref.discipline_rows()
    trimmed = [
        {**r, "name_vi": "Khoa học máy tính (sửa)"} if r["code"] == "7480101" else r
        for r in full
        if r["code"] != "7480201"
    ]
    fewer_ethnicities = [r for r in ref.ethnicity_rows() if r["code"] != "54"]
    monkeypatch.setattr(ref, "discipline_rows", lambda: trimmed)
    monkeypatch.setattr(ref, "ethnicity_rows", lambda: fewer_ethnicities)
    retire_day = dt.date(2026, 3, 1)
    with owner_engine.begin() as conn:
        result = ref.sync_all(conn, today=retire_day)
    assert (result["discipline"].retired, result["discipline"].updated) == (1, 1)
    assert result["discipline"].inserted == 0
    assert result["discipline_isced"].kept == 1  # the mapping row stays
    assert result["ethnicity"].kept == 1  # no valid_to column: kept as it is

    with owner_engine.connect() as conn:
        valid_to = conn.execute(
            select(Discipline.valid_to).where(Discipline.code == "7480201")
        ).scalar_one()
        assert valid_to == retire_day
        assert _count(conn, Ethnicity) == 54
        assert (
            conn.execute(
                select(Program.discipline_code).where(Program.id == program_id)
            ).scalar_one()
            == "7480201"
        )

    # The same run again retires nothing more.
    with owner_engine.begin() as conn:
        again = ref.sync_all(conn, today=dt.date(2026, 4, 1))
    assert not again["discipline"].changed

    # The code back in the files: the retirement is undone, nothing is inserted twice.
    monkeypatch.undo()
    with owner_engine.begin() as conn:
        restored = ref.sync_all(conn)
    assert (restored["discipline"].inserted, restored["discipline"].updated) == (0, 2)
    with owner_engine.connect() as conn:
        assert (
            conn.execute(
                select(Discipline.valid_to).where(Discipline.code == "7480201")
            ).scalar_one()
            is None
        )
        assert _count(conn, Discipline) == 650
