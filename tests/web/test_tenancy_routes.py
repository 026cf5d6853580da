"""Every route of the app, called by an officer of institution A with institution B's ids, leaks
nothing of B and changes nothing of B.

The walk reads the app's OpenAPI document, so a route added later is walked too. For each
operation it sends requests with B's ids in the path, B's ids and code in the query filters, and
bodies built from the schema (its example, else its required fields) with B's institution and
B's rows in every reference field; then it does the same with A's ids in the path and B's
references in the body. A response leaks if it contains B's marker text ("ZQXB" is in every text
field of B), one of B's national IDs, or, in a success, one of B's ids (all in 6 660 000–
6 669 999). After the walk, B's rows (every tenant table, its persons, users, tokens and audit
entries) must be exactly as before. The canary tests at the bottom prove the walk would notice.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select, text

from hemis.db.base import tenant_tables
from hemis.db.session import make_engine, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.api import router as registry_router
from hemis.registry.models import Campus
from hemis.web.app import create_app
from hemis.web.deps import Context
from tests.conftest import TestDB
from tests.web.conftest import API, B_ID_PATTERN, B_MARKER, Api, Seeded, World

# Path and body fields that name a row, and the entity (World ids key) they name.
REF_ENTITY = {
    "institution_id": "institutions",
    "campus_id": "campuses",
    "facility_id": "facilities",
    "summary_id": "resource-summaries",
    "program_id": "programs",
    "revenue_id": "revenues",
    "expenditure_id": "expenditures",
    "asset_id": "assets",
    "person_id": "persons",
    "learner_id": "learners",
    "staff_id": "staff",
}
CODE_FIELDS = {"institution_code", "moet_code"}


def _paths_of(router: APIRouter) -> set[str]:
    app = FastAPI()
    app.include_router(router)
    return set(app.openapi()["paths"])


REGISTRY_PATHS = _paths_of(registry_router)
WRITES = {"post", "put", "patch", "delete"}


def ref_id(seeded: Seeded, name: str, path: str) -> int:
    """The id of `seeded`'s row a parameter named `name` refers to."""
    entity = REF_ENTITY.get(name)
    if entity is None:
        parts = path.removeprefix(API + "/").split("/")
        entity = parts[0]
    return seeded.ids.get(entity, seeded.institution_id)


@dataclass
class Walk:
    client: TestClient
    app: FastAPI
    world: World
    token: str
    only: str | None = None  # walk only this path template (the canary tests)
    problems: list[str] = field(default_factory=list)
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    # --- building requests ------------------------------------------------------------------

    @property
    def spec(self) -> dict[str, Any]:
        return self.app.openapi()

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def sample(self, schema: dict[str, Any], target: Seeded) -> Any:
        """A value for `schema`: its example, else the required fields; references → target."""
        schema = self.resolve(schema)
        if schema.get("examples"):
            value = copy.deepcopy(schema["examples"][0])
        elif "anyOf" in schema:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            return self.sample(options[0], target) if options else None
        elif "enum" in schema:
            return schema["enum"][0]
        elif schema.get("type") == "object" or "properties" in schema:
            required = set(schema.get("required", []))
            value = {
                name: self.sample(prop, target)
                for name, prop in schema.get("properties", {}).items()
                if name in required
            }
        else:
            kind = schema.get("type")
            if kind == "string":
                return "2024-06-01" if schema.get("format") == "date" else "x"
            if kind == "integer":
                return target.institution_id
            if kind == "number":
                return 1.0
            if kind == "boolean":
                return True
            return [] if kind == "array" else None
        if isinstance(value, dict):
            for name in schema.get("properties", {}):
                if name in REF_ENTITY:
                    value[name] = ref_id(target, name, "")
                elif name in CODE_FIELDS:
                    value[name] = target.moet_code
        return value

    def bodies(self, operation: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
        """(content kind, variant, body) naming B: by institution id, by institution code, by
        B's rows only, or with an institution_id smuggled into a shape that has none."""
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            base = self.sample(content["application/json"]["schema"], self.world.b)
            if not isinstance(base, dict):
                yield "json", "sample", base
                return
            if "institution_id" in base:
                yield "json", "by_id", base
                by_code = {k: v for k, v in base.items() if k != "institution_id"}
                yield "json", "by_code", by_code | {"institution_code": self.world.b.moet_code}
                yield "json", "rows_only", by_code
            else:
                yield "json", "sample", base
                yield "json", "smuggled", base | {"institution_id": self.world.b.institution_id}
        elif content:
            schema = self.resolve(next(iter(content.values()))["schema"])
            yield "form", "form", dict.fromkeys(schema.get("properties", {}), "x")
        else:
            yield "none", "none", None

    def query_variants(self, operation: dict[str, Any], path: str) -> Iterator[dict[str, Any]]:
        yield {}
        for param in operation.get("parameters", []):
            name = param["name"]
            if param["in"] != "query":
                continue
            if name in REF_ENTITY:
                yield {name: ref_id(self.world.b, name, path)}
            elif name in CODE_FIELDS:
                yield {name: self.world.b.moet_code}

    # --- sending and checking ---------------------------------------------------------------

    def send(self, method: str, url: str, kind: str, body: Any, params: dict[str, Any]) -> Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        extra: dict[str, Any] = {"json": body} if kind == "json" else {}
        if kind == "form":
            extra = {"data": body}
        return self.client.request(method, url, params=params, headers=headers, **extra)

    def check(self, template: str, method: str, url: str, response: Response) -> None:
        where = f"{method.upper()} {url} → {response.status_code}"
        self.calls.append((method, template, response.status_code))
        body = response.text
        if B_MARKER.lower() in body.lower():
            self.problems.append(f"{where}: B's text in the response")
        for nid in self.world.b.national_ids:
            if nid in body:
                self.problems.append(f"{where}: B's national ID in the response")
        if response.is_success and B_ID_PATTERN.search(body):
            self.problems.append(f"{where}: B's id in a successful response")
        if template in REGISTRY_PATHS and response.status_code >= 500:
            self.problems.append(f"{where}: server error")
        if method in WRITES and template not in REGISTRY_PATHS:
            # A foreign route might log the caller out; keep the walk meaningful.
            me = self.client.get(
                f"{API}/auth/me", headers={"Authorization": f"Bearer {self.token}"}
            )
            if me.status_code != 200:
                self.problems.append(f"{where}: the officer's token stopped working")

    def expect(self, template: str, method: str, response: Response, allowed: set[int]) -> None:
        if template in REGISTRY_PATHS and response.status_code not in allowed:
            self.problems.append(
                f"{method.upper()} {template}: {response.status_code}, expected one of "
                f"{sorted(allowed)}: {response.text[:200]}"
            )

    def run(self) -> None:
        for template, operations in self.spec["paths"].items():
            if self.only and template != self.only:
                continue
            names = re.findall(r"{(\w+)}", template)
            for method, operation in operations.items():
                for owner in (self.world.b, self.world.a) if names else (self.world.b,):
                    url = template
                    for name in names:
                        value = owner.moet_code if name.endswith("code") else None
                        value = value or str(ref_id(owner, name, template))
                        url = url.replace(f"{{{name}}}", value)
                    self.call(template, method, url, operation, b_in_path=owner is self.world.b)

    def call(
        self, template: str, method: str, url: str, operation: dict[str, Any], b_in_path: bool
    ) -> None:
        has_path_ids = "{" in template
        for params in self.query_variants(operation, template):
            for kind, variant, body in self.bodies(operation):
                response = self.send(method, url, kind, body, params)
                self.check(template, method, url, response)
                if variant == "smuggled":
                    # A shape without institution_id refuses one (422) before anything else.
                    self.expect(template, method, response, {403, 404, 422})
                elif b_in_path and has_path_ids:
                    # Another institution's row answers as missing (or the route is forbidden).
                    self.expect(template, method, response, {403, 404})
                elif variant in ("by_id", "by_code"):
                    # Naming B's institution, by id or by code, is refused.
                    self.expect(template, method, response, {403})
                elif (
                    method == "get"
                    and params
                    and response.status_code == 200
                    and response.json().get("items") != []
                ):
                    # Filtering on B's ids or code must find nothing.
                    self.problems.append(f"GET {url} {params}: B's filter returned rows")


def dump_b(db: TestDB, world: World) -> dict[str, Any]:
    """Every row belonging to B, read as the table owner (no tenancy, no RLS)."""
    engine = make_engine(db.owner_url)
    b = {"b": world.b.institution_id}
    out: dict[str, Any] = {}
    try:
        with engine.connect() as conn:
            for table in tenant_tables():
                column = "id" if table == "institution" else "institution_id"
                rows = conn.execute(
                    text(f"SELECT * FROM {table} WHERE {column} = :b ORDER BY id"), b
                )
                out[table] = [tuple(map(repr, row)) for row in rows]
            for sql in (
                "SELECT * FROM person WHERE id IN (SELECT person_id FROM learner WHERE "
                "institution_id = :b UNION SELECT person_id FROM staff WHERE institution_id = :b)"
                " ORDER BY id",
                "SELECT * FROM app_user WHERE institution_id = :b ORDER BY id",
                "SELECT * FROM api_token WHERE institution_id = :b ORDER BY id",
                "SELECT * FROM audit_entry WHERE institution_id = :b ORDER BY seq",
            ):
                out[sql] = [tuple(map(repr, row)) for row in conn.execute(text(sql), b)]
    finally:
        engine.dispose()
    assert all(out[t] for t in tenant_tables()), "B should have a row in every tenant table"
    return out


def walk(app: FastAPI, db: TestDB, world: World, only: str | None = None) -> Walk:
    """Walk the app as officer A; returns the walk with its problems (B's rows are compared)."""
    before = dump_b(db, world)
    with TestClient(app, raise_server_exceptions=False) as client:
        token = Api(client).login("officer_a")
        result = Walk(client, app, world, token, only)
        result.run()
    after = dump_b(db, world)
    for key in before:
        if before[key] != after[key]:
            result.problems.append(f"B's rows changed: {key.split(' WHERE')[0]}")
    return result


def test_no_route_reads_or_writes_another_institution(
    api_app: FastAPI, db: TestDB, world: World
) -> None:
    result = walk(api_app, db, world)
    assert result.problems == []
    walked = {(method, template) for method, template, _ in result.calls}
    every = {(m, p) for p, ops in api_app.openapi()["paths"].items() for m in ops}
    assert walked == every
    assert len(result.calls) > 120


def test_collections_list_only_the_callers_rows(api_app: FastAPI, world: World) -> None:
    with TestClient(api_app) as client:
        api = Api(client)
        for template, operations in api_app.openapi()["paths"].items():
            if "get" not in operations or template not in REGISTRY_PATHS:
                continue
            url = template
            for name in re.findall(r"{(\w+)}", template):
                url = url.replace(f"{{{name}}}", str(ref_id(world.a, name, template)))
            response = api.get("officer_a", url, limit=500)
            body = response.json()
            if response.status_code == 403 or "items" not in body:
                continue
            assert response.status_code == 200
            mine = {world.a.institution_id}
            if template == f"{API}/institutions":
                assert {row["id"] for row in body["items"]} == mine
            elif template != f"{API}/reporting-periods":
                assert body["items"], template
                assert {row["institution_id"] for row in body["items"]} == mine, template
            # The same collection holds B's rows nationally, so the filtering was real.
            if "{" not in template and template != f"{API}/reporting-periods":
                national = api.items("admin", url, limit=500)
                assert any(B_ID_PATTERN.search(str(row["id"])) for row in national), template


# --- canaries: the walk must notice a leaking route ----------------------------------------------


def _leaky_app(db: TestDB) -> FastAPI:
    """The real app plus routes that bypass tenancy with a national session."""
    app = create_app(db.settings())
    leak = APIRouter(prefix=f"{API}/leak")

    @leak.get("/campuses/{campus_id}")
    def read_any_campus(campus_id: int, ctx: Context) -> dict[str, Any]:
        with scoped_session(ctx.sessions, Scope.system("leak")) as s:
            campus = s.scalar(select(Campus).where(Campus.id == campus_id))
            return {"name": campus.name if campus else None}

    @leak.post("/campuses/{campus_id}/rename")
    def rename_any_campus(campus_id: int, ctx: Context) -> dict[str, bool]:
        with scoped_session(ctx.sessions, Scope.system("leak")) as s:
            for campus in s.scalars(select(Campus).where(Campus.id == campus_id)):
                campus.address = "moved"
            s.commit()
        return {"ok": True}

    @leak.get("/institution-ids")
    def list_institution_ids(ctx: Context) -> list[int]:
        with scoped_session(ctx.sessions, Scope.system("leak")) as s:
            return [c.institution_id for c in s.scalars(select(Campus))]

    app.include_router(leak)
    return app


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"{API}/leak/campuses/{{campus_id}}", "B's text in the response"),
        (f"{API}/leak/campuses/{{campus_id}}/rename", "B's rows changed: campus"),
        (f"{API}/leak/institution-ids", "B's id in a successful response"),
    ],
)
def test_the_walk_notices_a_leaking_route(
    db: TestDB, world: World, path: str, expected: str
) -> None:
    app = _leaky_app(db)
    try:
        result = walk(app, db, world, only=path)
    finally:
        app.state.ctx.dispose()
    assert result.calls, "the leaky route should have been walked"
    assert any(expected in problem for problem in result.problems), result.problems
