"""The vectorised twins agree with the scalar originals on generated inputs:
CCCD rules with hemis.registry.rules.national_id_problems, cleaning with hemis.common.text.clean.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from hemis.common.text import clean
from hemis.imports.catalogue import Context, rules_for
from hemis.imports.clean import clean_series
from hemis.imports.entities import get_entity
from hemis.imports.validate import ExpressionRules
from hemis.registry.codes import Sex
from hemis.registry.rules import cccd_province_codes, make_national_id, national_id_problems

from .samples import AS_OF

PROVINCES = sorted(cccd_province_codes())
sexes = st.sampled_from([Sex.male, Sex.female, None])
births = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))


@st.composite
def national_ids(draw: st.DrawFn) -> str:
    """Valid IDs, single-digit corruptions, unknown provinces and malformed strings."""
    kind = draw(st.integers(0, 4))
    if kind == 4:
        return draw(st.text(alphabet=st.sampled_from("0123456789a ١٢٣"), min_size=0, max_size=14))
    province = draw(st.sampled_from([*PROVINCES, "000", "099", "100"]))
    sex = draw(st.sampled_from([Sex.male, Sex.female]))
    year = draw(st.integers(1900, 2399))
    value = make_national_id(province, sex, year, draw(st.integers(0, 999_999)))
    if kind == 3:
        position = draw(st.integers(3, 5))
        digit = str((int(value[position]) + draw(st.integers(1, 9))) % 10)
        value = value[:position] + digit + value[position + 1 :]
    return value


def vectorised_codes(
    ids: list[str], sexes_: list[Sex | None], births_: list[dt.date | None]
) -> list[set[str]]:
    entity = get_entity("learners")
    frame = pl.DataFrame(
        {
            "__row__": list(range(2, len(ids) + 2)),
            "national_id": ids,
            "sex": [s.value if s else None for s in sexes_],
            "date_of_birth": births_,
        },
        schema={
            "__row__": pl.Int64,
            "national_id": pl.String,
            "sex": pl.String,
            "date_of_birth": pl.Date,
        },
    )
    rules = [
        r
        for r in rules_for("learners")
        if r.id.startswith("LRN.national_id.") and r.tier in "ab" and r.kind in ("", "format")
    ]
    ctx = Context(entity, frozenset(entity.names), AS_OF)
    # the generic format rule reads the column as typed; give it the same frame
    issues = ExpressionRules(rules).run(frame, ctx)
    found: list[set[str]] = [set() for _ in ids]
    for row, rule in issues.select("row", "rule").iter_rows():
        found[row - 2].add(rule.removeprefix("LRN."))
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(national_ids(), sexes, births), min_size=1, max_size=40))
def test_vectorised_national_id_rules_agree_with_the_registry(
    cases: list[tuple[str, Sex | None, dt.date | None]],
) -> None:
    ids, sexes_, births_ = (list(x) for x in zip(*cases, strict=True))
    got = vectorised_codes(ids, sexes_, births_)  # type: ignore[arg-type]
    for (national_id, sex, born), codes in zip(cases, got, strict=True):
        expected = {p.code for p in national_id_problems(national_id, sex, born)}
        assert codes == expected, (national_id, sex, born)


messy_text = st.text(
    alphabet=st.sampled_from(
        [
            *"aAeđĐ  \t\n\u00a0\u2003\u200b\u200c\u200d\u2060\ufeff",
            *"\u0301\u0300\u0323\u0302\u031b",
            *["ệ", "ư", "Ơ", "x", "\x1c", "\x85", "\u3000", "o", "1"],
        ]
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(messy_text, min_size=1, max_size=30))
def test_vectorised_clean_agrees_with_text_clean(values: list[str]) -> None:
    cleaned = clean_series(pl.Series("v", values, dtype=pl.String)).to_list()
    assert cleaned == [clean(v) or None for v in values]
