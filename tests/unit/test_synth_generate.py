"""The synthetic nation's generator on its own (no database): sizes, names, IDs, histories."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from functools import cache

import numpy as np
import polars as pl
import pytest

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.registry.reference import discipline_rows
from hemis.registry.rules import national_id_problems
from hemis.synth import Counts
from hemis.synth.common import AS_OF, apportion, group_rank
from hemis.synth.histories import latest_term
from hemis.synth.names import name_tables, sample_names
from hemis.synth.nation import Batch, Nation, Reference
from hemis.synth.persons import SerialPool


def _reference() -> Reference:
    rows = discipline_rows()
    disciplines = pl.DataFrame({k: [r[k] for r in rows] for k in ("code", "name_vi", "field_code")})
    return Reference(disciplines, tuple(f"{i:02d}" for i in range(1, 55)))


def _cipher() -> IdCipher:
    s = Settings()
    return IdCipher.from_settings(s.id_encryption_key, s.blind_index_key)


@cache
def _nation(scale: float = 0.002, seed: int = 5) -> tuple[Nation, dict[str, pl.DataFrame]]:
    nation = Nation(seed, scale, _reference(), _cipher(), chunk_size=2_500)
    tables: dict[str, list[pl.DataFrame]] = {}
    for chunk in nation.chunks():
        for batch in chunk:
            tables.setdefault(batch.table, []).append(_with_global_refs(batch, tables))
    return nation, {name: pl.concat(frames) for name, frames in tables.items()}


def _with_global_refs(batch: Batch, seen: dict[str, list[pl.DataFrame]]) -> pl.DataFrame:
    """Index columns made global across chunks (as the loader's id blocks would make them)."""
    offsets = {t: sum(f.height for f in frames[:-1]) for t, frames in seen.items() if frames}
    offsets[batch.table] = sum(f.height for f in seen.get(batch.table, []))
    frame = batch.frame.with_columns(
        (pl.col(c) + offsets.get(t, 0)).alias(c) for c, t in batch.refs.items()
    )
    return frame.with_row_index("id", offset=offsets[batch.table])


def test_counts_scale_as_specified() -> None:
    assert Counts.for_scale(1) == Counts(470, 25_000, 100_000, 3_000_000)
    assert Counts.for_scale(0.01) == Counts(5, 250, 1_000, 30_000)
    assert Counts.for_scale(0.0001).institutions == 1
    assert Counts.for_scale(2) == Counts(940, 50_000, 200_000, 6_000_000)
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="scale"):
            Counts.for_scale(bad)


def test_generated_rows_match_the_counts() -> None:
    nation, t = _nation()
    c = nation.counts
    assert (t["institution"].height, t["program"].height) == (c.institutions, c.programs)
    assert (t["staff"].height, t["learner"].height) == (c.staff, c.learners)
    assert t["person"].height == c.staff + c.learners
    assert t["term_result"].height == c.learners
    assert t["learner"]["person_id"].n_unique() == c.learners
    assert t["staff"]["person_id"].n_unique() == c.staff
    campuses = t["campus"].group_by("institution_id").len()["len"]
    assert campuses.min() >= 1
    assert campuses.max() <= 4


def test_program_level_follows_the_discipline_code() -> None:
    _, t = _nation()
    first = t["program"]["discipline_code"].str.slice(0, 1)
    level = t["program"]["level"]
    expected = first.replace_strict({"7": "bachelor", "8": "master", "9": "doctor"})
    assert (level == expected).all()
    assert (level == "bachelor").mean() > 0.7


def test_names_are_nfc_and_well_formed() -> None:
    g = np.random.Generator(np.random.PCG64(1))
    female = g.random(2_000) < 0.5
    names, folded = sample_names(g, female)
    for name in names.to_list():
        assert unicodedata.normalize("NFC", name) == name
        assert "  " not in name
        assert name == name.strip()
        assert 2 <= len(name.split(" ")) <= 5
    assert all(f.isascii() for f in folded.to_list())
    thi = sum(" Thị " in n for n in names.filter(pl.Series(female)).to_list())
    assert thi > 0.1 * female.sum()
    families = Counter(n.split(" ")[0] for n in names.to_list())
    assert families.most_common(1)[0][0] == "Nguyễn"
    t = name_tables()
    for vocab in (t.family, t.given_female, t.middle_male):
        assert abs(vocab.p.sum() - 1) < 1e-9


def test_national_ids_are_valid_unique_and_encrypted() -> None:
    _, t = _nation()
    cipher = _cipher()
    persons = t["person"]
    ids = [cipher.decrypt(b) for b in persons["national_id_enc"].to_list()]
    assert len(set(ids)) == len(ids)
    assert persons["national_id_index"].n_unique() == persons.height
    assert [cipher.blind_index(i) for i in ids] == persons["national_id_index"].to_list()
    for national_id, sex, born in zip(
        ids, persons["sex"].to_list(), persons["date_of_birth"].to_list(), strict=True
    ):
        assert national_id_problems(national_id, sex, born) == []


def test_serials_never_collide_within_a_key() -> None:
    pool = SerialPool()
    n = 50_000
    ones = np.ones(n, dtype=np.int64)
    first = pool.national_ids(ones, ones * 2, ones * 5)
    second = pool.national_ids(ones, ones * 2, ones * 5)
    both = pl.concat([first, second])
    assert both.n_unique() == 2 * n


def test_people_are_plausible() -> None:
    _, t = _nation()
    learners = t["learner"].join(t["person"], left_on="person_id", right_on="id")
    age = learners["cohort_year"] - learners["date_of_birth"].dt.year()
    assert (age.is_between(18, 25)).mean() > 0.85
    assert 0.5 < (learners["sex"] == "female").mean() < 0.6
    staff = t["staff"].join(t["person"], left_on="person_id", right_on="id")
    staff_age = AS_OF.year - staff["date_of_birth"].dt.year()
    assert staff_age.min() >= 25
    assert staff_age.max() <= 65
    assert (staff["position"] == "lecturer").mean() > 0.6
    assert (t["person"]["ethnicity_code"] == "01").mean() > 0.8
    assert (t["person"]["nationality"] == "VN").all()


def test_status_histories_are_consistent() -> None:
    _, t = _nation()
    events = t["learner_status_event"].sort("learner_id", "id")
    assert (events["effective_on"] <= AS_OF).all()
    per = events.group_by("learner_id", maintain_order=True).agg(
        pl.col("status").first().alias("first"),
        pl.col("effective_on").first().alias("first_on"),
        pl.col("status").last().alias("last"),
        pl.col("effective_on").last().alias("last_on"),
        pl.col("effective_on").diff().drop_nulls().min().alias("min_gap"),
    )
    learners = t["learner"].join(per, left_on="id", right_on="learner_id", how="left")
    assert learners["first"].null_count() == 0
    assert (learners["first"] == "enrolled").all()
    assert (learners["first_on"] == learners["admitted_on"]).all()
    assert (learners["last"] == learners["status"]).all()
    assert (learners["last_on"] == learners["status_date"]).all()
    gaps = learners["min_gap"].drop_nulls()
    assert (gaps > dt.timedelta(0)).all()
    shares = learners["status"].value_counts(normalize=True)
    share = dict(zip(shares["status"], shares["proportion"], strict=True))
    assert share["enrolled"] + share["graduated"] > 0.8
    graduates = learners.filter(pl.col("status") == "graduated")
    awards = t["award"]
    assert sorted(awards["learner_id"].to_list()) == sorted(graduates["id"].to_list())
    joined = awards.join(learners, left_on="learner_id", right_on="id")
    assert (joined["awarded_on"] == joined["status_date"]).all()
    assert awards["diploma_number"].n_unique() == awards.height


def test_term_results_cover_every_learner() -> None:
    _, t = _nation()
    terms = t["term_result"]
    assert sorted(terms["learner_id"].to_list()) == sorted(t["learner"]["id"].to_list())
    assert terms["gpa"].is_between(0, 4).all()
    assert terms["term"].is_between(1, 3).all()
    joined = terms.join(t["learner"], left_on="learner_id", right_on="id")
    assert (joined["academic_year"] >= joined["cohort_year"] - 1).all()


def test_student_codes_are_unique_per_institution() -> None:
    _, t = _nation()
    learners = t["learner"]
    assert learners.select("institution_id", "student_code").is_unique().all()


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    _, a = _nation()
    _nation.cache_clear()
    _, b = _nation()
    _, c = _nation(seed=6)
    for table in a:
        x, y = (
            a[table].drop("national_id_enc", strict=False),
            b[table].drop("national_id_enc", strict=False),
        )
        assert x.equals(y), table
    assert not a["person"]["full_name"].equals(c["person"]["full_name"])


def test_helpers() -> None:
    assert apportion(10, np.array([1.0, 1.0, 1.0]), minimum=1).tolist() == [4, 3, 3]
    assert apportion(2, np.array([5.0, 1.0, 1.0]), minimum=1).sum() == 2
    assert group_rank(np.array([3, 1, 3, 3, 1])).tolist() == [0, 0, 1, 2, 1]
    days = np.array([(dt.date(2025, m, 15) - dt.date(1970, 1, 1)).days for m in (1, 3, 8, 10)])
    year, term = latest_term(days)
    assert year.tolist() == [2024, 2024, 2024, 2025]
    assert term.tolist() == [1, 2, 3, 1]
