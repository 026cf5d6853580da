"""One catalogue of error codes: every code the source raises is in hemis.error_codes with the
status it is raised with, every catalogued code is raised somewhere, and all have one shape.

The codes are found in the source itself: the `code` of every HemisError subclass, every
`code="…"` passed to one, the error bodies the web layer writes by hand and the e-ID refusals."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import hemis
from hemis.error_codes import CATALOGUE, SHAPE, by_code
from hemis.errors import HemisError

SRC = Path(hemis.__file__).parent


def _subclasses(cls: type[HemisError]) -> Iterator[type[HemisError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _error_classes() -> dict[str, type[HemisError]]:
    for module in pkgutil.walk_packages(hemis.__path__, "hemis."):
        if ".migrations." not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    return {c.__name__: c for c in (HemisError, *_subclasses(HemisError))}


def raised() -> dict[str, set[int | None]]:
    """code → the statuses it is raised with."""
    classes = _error_classes()
    found: dict[str, set[int | None]] = {}

    def add(code: str, status: int | None) -> None:
        found.setdefault(code, set()).add(status)

    for cls in classes.values():
        if "code" in vars(cls):
            add(cls.code, cls.status)
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                given = {k.arg: k.value for k in node.keywords}
                code = given.get("code")
                if name in classes and isinstance(code, ast.Constant):
                    status = given.get("status")
                    add(
                        code.value,
                        status.value
                        if isinstance(status, ast.Constant)
                        else classes[str(name)].status,
                    )
            if isinstance(node, ast.Dict):  # an error body written by hand: {code, message, …}
                keys = {
                    k.value: v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant)
                }
                code = keys.get("code")
                if {"message", "details"} <= set(keys) and isinstance(code, ast.Constant):
                    # (its status is set where the body is answered: only its presence counts)
                    known = by_code().get(code.value)
                    add(code.value, known.status if known else -1)
    from hemis.identity.client import REASONS
    from hemis.web.errors import _HTTP_MESSAGES

    for status, (code, _, _) in _HTTP_MESSAGES.items():
        add(code, status)
    for reason in REASONS:
        add(reason, 503 if reason == "eid.provider" else 400)
    add("http_error", None)  # any status without a message of its own (web/errors.py)
    return found


def test_codes_have_one_shape_and_appear_once() -> None:
    codes = [c.code for c in CATALOGUE]
    assert len(codes) == len(set(codes))
    for c in CATALOGUE:
        assert SHAPE.match(c.code), c.code
        assert c.vi, c.code
        assert c.en, c.code


def test_every_raised_code_is_catalogued_with_its_status_and_none_is_unused() -> None:
    found = raised()
    catalogue = by_code()
    assert sorted(set(found) - set(catalogue)) == [], "raised but not catalogued"
    assert sorted(set(catalogue) - set(found)) == [], "catalogued but never raised"
    for code, statuses in found.items():
        assert statuses == {catalogue[code].status}, (code, statuses)


def test_the_shape_refuses_other_shapes() -> None:
    for bad in ("Not_found", "import.too.large", "import-too_large", "_x", "a__b", "LRN.x"):
        assert not SHAPE.match(bad), bad
    for good in ("not_found", "import.too_large", "eid.no_login", "precondition.failed"):
        assert SHAPE.match(good), good


def test_validation_failed_details_take_one_shape() -> None:
    from hemis.errors import ValidationFailed, invalid, problem

    def answered(error: ValidationFailed) -> object:
        return error.to_dict("en")["details"]

    partial = ValidationFailed("Sai.", "Wrong.", details=[{"field": "year", "code": "action.year"}])
    assert answered(partial) == [problem("year", "action.year", "Sai.", "Wrong.")]
    assert partial.details == [{"field": "year", "code": "action.year"}]  # kept as raised
    alone = ValidationFailed("Sai.", "Wrong.", details={"field": "school_code"})
    assert answered(alone) == [problem("school_code", "validation_failed", "Sai.", "Wrong.")]
    kept = ValidationFailed("Sai.", "Wrong.", details=[problem("a", "x.y", "Một.", "One.")])
    assert answered(kept) == [problem("a", "x.y", "Một.", "One.")]
    other = ValidationFailed("Sai.", "Wrong.", details={"format": "pdf", "allowed": ["csv"]})
    assert answered(other) == {"format": "pdf", "allowed": ["csv"]}  # not about a field
    assert invalid("f", "c.d", "Việt.", "English.").details == [
        problem("f", "c.d", "Việt.", "English.")
    ]
