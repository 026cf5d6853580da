"""Finance lines (Circular 09/2024) and assets. Money in integer đồng."""

from __future__ import annotations

from hemis.imports.entities import CODE, DATE, INT, STR, Entity, FinanceKind, col, enum_codes
from hemis.registry.codes import Activity, AssetCategory, ExpenditureCategory, RevenueSource

MONEY_EN = "Amount in Vietnamese đồng (integer, no decimals)."
MONEY_VI = "Số tiền theo đồng Việt Nam (số nguyên, không có phần thập phân)."

FINANCES = Entity(
    "finances",
    "FIN",
    "Tài chính",
    "Finances",
    "Các dòng thu (nguồn × hoạt động) và chi (khoản mục) theo năm tài chính, Thông tư 09/2024.",
    "Revenue lines (source × activity) and expenditure lines (category) per fiscal year, "
    "Circular 09/2024.",
    (
        col(
            "fiscal_year",
            INT,
            "Năm tài chính",
            "Năm tài chính.",
            "Fiscal year.",
            required=True,
            minimum=2000,
            maximum=2100,
        ),
        col(
            "kind",
            CODE,
            "Loại dòng",
            "revenue = khoản thu; expenditure = khoản chi.",
            "revenue = a revenue line; expenditure = an expenditure line.",
            required=True,
            codes=enum_codes(FinanceKind),
        ),
        col(
            "source",
            CODE,
            "Nguồn thu",
            "Nguồn thu (chỉ cho dòng thu).",
            "Revenue source (revenue lines only).",
            codes=enum_codes(RevenueSource),
        ),
        col(
            "activity",
            CODE,
            "Hoạt động",
            "Hoạt động tạo nguồn thu (chỉ cho dòng thu).",
            "Activity the revenue is for (revenue lines only).",
            codes=enum_codes(Activity),
        ),
        col(
            "category",
            CODE,
            "Khoản chi",
            "Khoản mục chi (chỉ cho dòng chi).",
            "Expenditure category (expenditure lines only).",
            codes=enum_codes(ExpenditureCategory),
        ),
        col("amount_vnd", INT, "Số tiền (đồng)", MONEY_VI, MONEY_EN, required=True, minimum=0),
    ),
    ("fiscal_year", "kind", "source", "activity", "category"),
    notes_en=(
        "One file for both kinds of line: `kind` says which; the apply step writes revenue "
        "lines to `revenue` and expenditure lines to `expenditure`.",
    ),
)

ASSETS = Entity(
    "assets",
    "AST",
    "Tài sản",
    "Assets",
    "Tài sản của trường: đất, nhà, thiết bị, phương tiện, tài sản vô hình.",
    "Assets of the institution: land, buildings, equipment, vehicles, intangibles.",
    (
        col(
            "asset_code",
            STR,
            "Mã tài sản",
            "Mã tài sản trong sổ tài sản của trường.",
            "The asset's number in the institution's asset register.",
            required=True,
            max_length=40,
        ),
        col(
            "category",
            CODE,
            "Nhóm tài sản",
            "Nhóm tài sản.",
            "Asset category.",
            required=True,
            codes=enum_codes(AssetCategory),
        ),
        col(
            "description",
            STR,
            "Mô tả",
            "Mô tả tài sản.",
            "Description.",
            required=True,
            max_length=300,
        ),
        col(
            "acquired_on",
            DATE,
            "Ngày ghi tăng",
            "Ngày đưa vào sử dụng / ghi tăng.",
            "Date acquired.",
            required=True,
            not_future=True,
        ),
        col(
            "value_vnd",
            INT,
            "Nguyên giá (đồng)",
            "Nguyên giá, " + MONEY_VI[0].lower() + MONEY_VI[1:],
            "Historical cost. " + MONEY_EN,
            required=True,
            minimum=0,
        ),
    ),
    ("asset_code",),
)

FINANCE_ENTITIES = (FINANCES, ASSETS)
