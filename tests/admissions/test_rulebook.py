"""Every admission rule in the rulebook names its source and at least one hand-computed test, and
every test it names exists; each version's page section lists its rules."""

from __future__ import annotations

import re
from pathlib import Path

from hemis.admissions.rulebook import RULEBOOK, admissions_rules_md, rules_of
from hemis.admissions.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_names_existing_tests_and_a_source() -> None:
    assert len({r.key for r in RULEBOOK}) == len(RULEBOOK)
    missing = []
    for rule in RULEBOOK:
        assert rule.source
        assert rule.tests, rule.key
        for ref in rule.tests:
            path, name = ref.split("::")
            text = (ROOT / path).read_text(encoding="utf-8")
            if not re.search(rf"^def {re.escape(name)}\(", text, flags=re.M):
                missing.append(ref)
    assert missing == []


def test_each_version_has_its_own_rules() -> None:
    assert {r.key for r in rules_of(2025)} >= {"category_points_2025", "wishes_unlimited"}
    assert "category_points_2026" not in {r.key for r in rules_of(2025)}
    assert {r.key for r in rules_of(2026)} >= {"category_points_2026", "exam_minimum_2026"}
    assert "category_points_2025" not in {r.key for r in rules_of(2027)}  # 2027: 2026's rules
    page = admissions_rules_md()
    for version in RULES:
        assert f"## Rules of {version}" in page
