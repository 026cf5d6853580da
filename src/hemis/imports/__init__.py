"""Bulk data submission, first half: templates, readers, the rule catalogue and reports.

from hemis.imports import read_table, validate
table = read_table(path, "learners")
report = validate("learners", table.frame, findings=table.findings,
                  header_row=table.header_row)
"""

from hemis.imports.catalogue import Context, Finding, Rule, Severity, catalogue, rules_for
from hemis.imports.entities import Column, ColumnType, Entity, entities, get_entity
from hemis.imports.readers import RawTable, UnreadableFile, read_table
from hemis.imports.report import Report
from hemis.imports.validate import ExpressionRules, RuleSet, validate, validate_file

__all__ = [
    "Column",
    "ColumnType",
    "Context",
    "Entity",
    "ExpressionRules",
    "Finding",
    "RawTable",
    "Report",
    "Rule",
    "RuleSet",
    "Severity",
    "UnreadableFile",
    "catalogue",
    "entities",
    "get_entity",
    "read_table",
    "rules_for",
    "validate",
    "validate_file",
]
