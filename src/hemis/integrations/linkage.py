"""Linking a registry's records to HEMIS persons: deterministic on the national ID (through the
blind index) first; the rest by Fellegi–Sunter on folded name, date of birth, sex and province
(splink on DuckDB, m/u estimated by EM and random sampling), with an uncertain band for clerical
review. Every link records how it was made."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import polars as pl

from hemis.common.text import fold

AUTO_LINK = 0.95  # at or above: linked without a person
REVIEW = 0.5  # between REVIEW and AUTO_LINK: the clerical review queue; below: not linked
COLUMNS = ("unique_id", "name", "dob", "sex", "province")


@dataclass(frozen=True)
class Candidate:
    registry_key: str
    person_id: int
    probability: float


def prepare(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """The comparison columns: folded name, ISO date of birth, sex, 3-digit province."""
    return frame.select(
        pl.col(key).cast(pl.String).alias("unique_id"),
        pl.col("full_name").map_elements(fold, return_dtype=pl.String).alias("name"),
        pl.col("date_of_birth").cast(pl.String).alias("dob"),
        pl.col("sex").cast(pl.String),
        pl.col("province").cast(pl.String),
    )


def _settings() -> object:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.97, 0.9, 0.8]),
            cl.LevenshteinAtThresholds("dob", [1, 2]),
            cl.ExactMatch("sex"),
            cl.ExactMatch("province"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("name"),
            block_on("substr(name, 1, 6)", "sex", "province"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def score(registry: pl.DataFrame, persons: pl.DataFrame, seed: int = 42) -> pl.DataFrame:
    """Pairs (registry unique_id, person unique_id, match_probability) from splink, trained on
    these two tables (EM m-probabilities, u by random sampling)."""
    from splink import DuckDBAPI, Linker, block_on

    if registry.is_empty() or persons.is_empty():
        return pl.DataFrame(
            schema={"registry_key": pl.String, "person_id": pl.Int64, "probability": pl.Float64}
        )
    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    try:
        db_api = DuckDBAPI(con)
        left = db_api.register(registry.to_arrow(), table_name="registry_records")
        right = db_api.register(persons.to_arrow(), table_name="hemis_persons")
        linker = Linker([left, right], _settings(), log_level=logging.ERROR)  # type: ignore[arg-type]
        linker.training.estimate_probability_two_random_records_match(
            [block_on("name", "dob")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
        pairs = linker.inference.predict(threshold_match_probability=0.05)
        frame = pl.from_arrow(pairs.as_duckdbpyrelation().arrow())
    finally:
        con.close()
    assert isinstance(frame, pl.DataFrame)
    # splink puts the first registered table on the left of a link-only pair.
    left_is_registry = pl.col("source_dataset_l") == "registry_records"
    return frame.select(
        pl.when(left_is_registry)
        .then(pl.col("unique_id_l"))
        .otherwise(pl.col("unique_id_r"))
        .alias("registry_key"),
        pl.when(left_is_registry)
        .then(pl.col("unique_id_r"))
        .otherwise(pl.col("unique_id_l"))
        .cast(pl.Int64)
        .alias("person_id"),
        pl.col("match_probability").alias("probability"),
    )


def one_to_one(pairs: pl.DataFrame) -> list[Candidate]:
    """Best pairs first; each registry record and each person used once."""
    used_keys: set[str] = set()
    used_people: set[int] = set()
    out = []
    for key, pid, p in pairs.sort("probability", descending=True).iter_rows():
        if key in used_keys or pid in used_people:
            continue
        used_keys.add(key)
        used_people.add(pid)
        out.append(Candidate(key, pid, float(p)))
    return out


def band(probability: float) -> str:
    if probability >= AUTO_LINK:
        return "linked"
    if probability >= REVIEW:
        return "review"
    return "rejected"
