"""The rule catalogue, tiers d–f: rules that need the database. Their checks are SQL and polars
run by `hemis.submissions` (rules_registry, rules_national, rules_continuity); this module holds
what is published about them — a stable ID, the tier, the severity and the messages — so the
catalogue, `hemis rules list` and docs/rules.md show every rule in one place.

Tiers: d = against the registry (the program exists here and is open, the discipline code is
valid, a person the institution already holds agrees with its record of them); e = across
institutions (a learner enrolled full-time elsewhere too, a lecturer counted full-time or
permanent at several institutions — asked only of persons the institution holds or describes
exactly); f = continuity with the last accepted submission (opening + intake − exits = closing
per program; year-on-year jumps outside robust bounds among peers).

No rule compares a row with a person the institution does not hold: such a row either
describes them exactly (and is linked) or becomes the institution's claim, reviewed by the
ministry, and reads like a new person (docs/security.md).
"""

from __future__ import annotations

from functools import cache

from hemis.imports.catalogue import Rule, Severity

DB_TIERS = {
    "d": ("Đối chiếu với cơ sở dữ liệu quốc gia", "Against the registry"),
    "e": ("Giữa các cơ sở đào tạo", "Across institutions"),
    "f": ("Liên tục với lần nộp đã được chấp nhận", "Continuity with the last accepted submission"),
}

E, W = Severity.error, Severity.warning


def _rule(id_: str, tier: str, severity: Severity, vi: str, en: str) -> Rule:
    prefix, column, _check = id_.split(".")
    entity = {
        "LRN": "learners",
        "STF": "staff",
        "PRG": "programs",
        "FAC": "facilities",
        "EVT": "learner_status_events",
        "AWD": "awards",
    }[prefix]
    return Rule(id_, entity, tier, severity, column, vi, en)


def _identity(prefix: str) -> list[Rule]:
    return [
        _rule(
            f"{prefix}.national_id.identity",
            "d",
            E,
            "Trường đã ghi số định danh này cho một người có ngày sinh hoặc giới tính khác.",
            "Your institution holds this national ID for a person with another birth date or sex.",
        ),
        _rule(
            f"{prefix}.full_name.registry",
            "d",
            W,
            "Họ tên khác với họ tên trường đã ghi cho số định danh này; hồ sơ quốc gia "
            "giữ họ tên đã ghi.",
            "The name differs from the one your institution holds for this national ID; the "
            "national record keeps that name.",
        ),
    ]


DB_RULES: tuple[Rule, ...] = (
    # --- tier d: against the registry ------------------------------------------------------------
    _rule(
        "PRG.discipline_code.exists",
        "d",
        E,
        "Mã ngành không có trong danh mục ngành quốc gia của hệ thống.",
        "The discipline code is not in the national discipline catalogue.",
    ),
    _rule(
        "PRG.discipline_code.valid",
        "d",
        E,
        "Mã ngành không còn hiệu lực (hoặc chưa có hiệu lực) tại ngày đối chiếu {detail}.",
        "The discipline code is not in force on the reference date {detail}.",
    ),
    _rule(
        "FAC.campus_code.exists",
        "d",
        E,
        "Không có cơ sở (phân hiệu) mã này của trường; hãy nộp tệp cơ sở trước.",
        "No campus with this code at the institution; submit the campuses first.",
    ),
    _rule(
        "LRN.program_code.exists",
        "d",
        E,
        "Không có chương trình đào tạo mã này của trường; hãy nộp tệp chương trình trước.",
        "No program with this code at the institution; submit the programs first.",
    ),
    _rule(
        "LRN.program_code.open",
        "d",
        E,
        "Chương trình đang ở trạng thái {detail}, không được tuyển sinh trong năm báo cáo.",
        "The program is {detail}: it may not admit learners in the reporting year.",
    ),
    _rule(
        "LRN.admitted_on.program",
        "d",
        E,
        "Ngày nhập học trước ngày mở chương trình ({detail}).",
        "Admitted before the program was opened ({detail}).",
    ),
    _rule(
        "LRN.program_code.discipline",
        "d",
        E,
        "Mã ngành của chương trình đã hết hiệu lực trước ngày nhập học ({detail}).",
        "The program's discipline code was retired before the admission date ({detail}).",
    ),
    *_identity("LRN"),
    _rule(
        "LRN.student_code.person",
        "d",
        W,
        "Mã người học này đã gắn với một người khác (số định danh khác); bản ghi sẽ được gắn "
        "lại theo tệp.",
        "This student code belongs to another person (another national ID); the record will "
        "be re-linked as the file says.",
    ),
    *_identity("STF"),
    _rule(
        "EVT.student_code.exists",
        "d",
        E,
        "Không có người học mã này của trường.",
        "No learner with this student code at the institution.",
    ),
    _rule(
        "AWD.student_code.exists",
        "d",
        E,
        "Không có người học mã này của trường.",
        "No learner with this student code at the institution.",
    ),
    _rule(
        "AWD.student_code.awarded",
        "d",
        E,
        "Người học đã có văn bằng số hiệu khác ({detail}).",
        "The learner already holds an award with another number ({detail}).",
    ),
    # --- tier e: across institutions -------------------------------------------------------------
    _rule(
        "LRN.national_id.elsewhere",
        "e",
        W,
        "Người này đang học chính quy, toàn thời gian ở một cơ sở đào tạo khác.",
        "This person is also enrolled full-time at another institution.",
    ),
    _rule(
        "STF.national_id.elsewhere",
        "e",
        W,
        "Giảng viên này cũng được tính là toàn thời gian hoặc cơ hữu ở cơ sở đào tạo khác "
        "(làm sai tỷ lệ người học trên giảng viên).",
        "This lecturer is also counted full-time or permanent at another institution "
        "(it inflates the student-per-lecturer ratio).",
    ),
    # --- tier f: continuity with the last accepted submission ------------------------------------
    _rule(
        "LRN.program_code.continuity",
        "f",
        W,
        "Số liệu chương trình không khớp với lần nộp được chấp nhận trước: {detail}.",
        "The program's numbers do not reconcile with the last accepted submission: {detail}.",
    ),
    _rule(
        "LRN.program_code.jump",
        "f",
        W,
        "Quy mô chương trình thay đổi bất thường so với năm trước: {detail}; cần giải trình.",
        "The program's size changed unusually since last year: {detail}; please explain.",
    ),
)


@cache
def db_catalogue() -> dict[str, Rule]:
    """The tier d–f rules by ID (they are not in `catalogue()`, which runs without a database)."""
    from hemis.competency.rules_db import COMPETENCY_DB_RULES

    return {rule.id: rule for rule in (*DB_RULES, *COMPETENCY_DB_RULES)}


def full_catalogue() -> dict[str, Rule]:
    """Every rule, tiers a–f."""
    from hemis.imports.catalogue import catalogue

    return {**catalogue(), **db_catalogue()}
