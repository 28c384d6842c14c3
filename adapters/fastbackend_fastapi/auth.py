"""Auth for the generated routes: FastAPI dependencies, global, per model and per operation.

Declared in Python (``create_app(..., auth=Auth(...))``) or in fastbackend.yaml as import paths
(``app.auth:current_user``). A dependency refuses a request by raising
``HTTPException(401)`` (who are you?) or ``HTTPException(403)`` (not you): both become
problem+json. ``scope`` dependencies return the value a field must have on every row the
request touches (multi-tenant data); ``fill`` dependencies return a value the server sets on
create (``owner_id`` from the current user). Neither field is accepted from the client.

The generated routes are plain Starlette routes (openapi.py says why); a route with something
to resolve is wrapped to run FastAPI's own dependency solver once per request, so dependencies
behave as on any FastAPI route (sub-dependencies, Header/Query/Security parameters, per-request
caching, yield). Routes with nothing to resolve are not wrapped and cost nothing more.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import SolvedDependency, get_dependant, solve_dependencies
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from fastbackend_fastapi import scope

Dependency = Callable[..., Any]
Endpoint = Callable[[Request], Awaitable[Response]]
OPERATIONS = ("list", "read", "create", "update", "replace", "delete")
Need = tuple[str, str]  # (entity, operation) a route performs


@dataclass(frozen=True)
class ModelAuth:
    """``dependencies``: for every operation of the model (a sequence), or per operation (a
    mapping from list/read/create/update/replace/delete, or ``all``)."""

    dependencies: Sequence[Dependency] | Mapping[str, Sequence[Dependency]] = ()
    scope: Mapping[str, Dependency] = field(default_factory=dict)
    fill: Mapping[str, Dependency] = field(default_factory=dict)

    def for_operation(self, operation: str) -> tuple[Dependency, ...]:
        if not isinstance(self.dependencies, Mapping):
            return tuple(self.dependencies)
        return (*self.dependencies.get("all", ()), *self.dependencies.get(operation, ()))

    @property
    def fill_fields(self) -> tuple[str, ...]:
        return (*self.scope, *(name for name in self.fill if name not in self.scope))


@dataclass(frozen=True)
class Auth:
    dependencies: Sequence[Dependency] = ()
    models: Mapping[str, ModelAuth] = field(default_factory=dict)

    def model(self, entity: str) -> ModelAuth:
        return self.models.get(entity, NO_MODEL_AUTH)

    @property
    def scoped(self) -> frozenset[str]:
        return frozenset(name for name, model in self.models.items() if model.scope)


NO_MODEL_AUTH = ModelAuth()


@dataclass(frozen=True)
class Parameter:
    """One dependency of a wrapped route, and where its value goes."""

    name: str
    dependency: Dependency
    role: str  # "check", "scope" or "fill"
    entity: str = ""
    field: str = ""


WRITES = ("create", "update", "replace")


def _parameters(auth: Auth, needs: Sequence[Need],
                references: Mapping[str, tuple[str, ...]]) -> list[Parameter]:
    """``references``: entity -> the entities its foreign keys point at (a write checks that
    the referenced row is in scope, so their scope is resolved too)."""
    found: list[Parameter] = []
    checks = [*auth.dependencies]
    for entity, operation in needs:
        model = auth.model(entity)
        checks += [d for d in model.for_operation(operation) if d not in checks]
    found += [Parameter(f"check_{i}", d, "check") for i, d in enumerate(checks)]
    involved = [entity for entity, _ in needs]
    involved += [target for entity, operation in needs if operation in WRITES
                 for target in references.get(entity, ())]
    for entity in dict.fromkeys(involved):
        model = auth.model(entity)
        found += [Parameter(f"scope_{entity}_{name}", d, "scope", entity, name)
                  for name, d in model.scope.items()]
        found += [Parameter(f"fill_{entity}_{name}", d, "fill", entity, name)
                  for name, d in model.fill.items()]
    return found


def _solver_call(parameters: list[Parameter]) -> Callable[..., None]:
    """A function whose signature lists the dependencies, for FastAPI's dependency solver."""
    def call(**values: Any) -> None:
        return None

    call.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=Depends(p.dependency),
                          annotation=Any)
        for p in parameters])
    return call


def _resolved(parameters: list[Parameter], values: Mapping[str, Any],
              scoped: frozenset[str]) -> scope.Resolved:
    filters: dict[str, dict[str, Any]] = {}
    fills: dict[str, dict[str, Any]] = {}
    for p in parameters:
        if p.role == "scope":
            filters.setdefault(p.entity, {})[p.field] = values[p.name]
        if p.role in ("scope", "fill"):
            fills.setdefault(p.entity, {})[p.field] = values[p.name]
    return scope.Resolved(filters, fills, scoped)


def _scope_parameters(auth: Auth, entity: str) -> list[Parameter]:
    return [Parameter(f"scope_{entity}_{name}", d, "scope", entity, name)
            for name, d in auth.model(entity).scope.items()]


@dataclass(frozen=True)
class Solver:
    """One set of dependencies, solved the way FastAPI's own routes solve theirs."""

    parameters: list[Parameter]
    dependant: Dependant

    @classmethod
    def of(cls, path: str, parameters: list[Parameter]) -> Solver:
        return cls(parameters, get_dependant(path=path, call=_solver_call(parameters)))

    async def solve(self, request: Request, stack: AsyncExitStack, app: FastAPI,
                    cache: dict[Any, Any] | None = None) -> SolvedDependency:
        return await solve_dependencies(
            request=request, dependant=self.dependant, async_exit_stack=stack,
            embed_body_fields=False, dependency_overrides_provider=app, dependency_cache=cache)


async def _optional_scopes(request: Request, stack: AsyncExitStack, app: FastAPI,
                           solvers: list[Solver], solved: SolvedDependency) -> dict[str, Any]:
    """Scopes of entities a route may reach indirectly (include=): resolved when the request
    allows it, else left unresolved, and those rows are then left out (scope.visible)."""
    values: dict[str, Any] = {}
    for solver in solvers:
        try:
            found = await solver.solve(request, stack, app, solved.dependency_cache)
        except HTTPException:
            continue
        if not found.errors:
            values.update(found.values)
    return values


@dataclass(frozen=True)
class Guard:
    auth: Auth
    app: FastAPI
    needs: dict[tuple[str, str], tuple[Need, ...]] = field(default_factory=dict)  # by route

    def checks(self, path: str, method: str) -> list[Dependency]:
        """The global and per-operation dependencies of a generated route (not its scopes)."""
        needs = self.needs.get((path, method), ())
        return [p.dependency for p in _parameters(self.auth, needs, {}) if p.role == "check"]

    async def require(self, request: Request, needs: Sequence[Need]) -> None:
        """Runs the dependencies of ``needs`` a route learns of from its body (a nested write's
        other models and operations, routes/nested.py): a refusal is their 401 or 403."""
        checks = [p for p in _parameters(self.auth, needs, {}) if p.role == "check"]
        if not checks:
            return
        solver = Solver.of(request.url.path, checks)
        async with AsyncExitStack() as stack:
            request.scope["fastapi_inner_astack"] = stack
            request.scope["fastapi_function_astack"] = stack
            solved = await solver.solve(request, stack, self.app)
            if solved.errors:
                raise RequestValidationError(solved.errors)

    def wrap(self, endpoint: Endpoint, path: str, needs: Sequence[Need]) -> Endpoint:
        ir = self.app.state.runtime.ir
        references = {name: tuple(fk.references.entity for fk in entity.foreign_keys)
                      for name, entity in ir.entities.items()}
        parameters = _parameters(self.auth, needs, references)
        scoped = self.auth.scoped
        if not parameters and not scoped:
            return endpoint  # nothing to resolve: the fast path stays as it was
        main = Solver.of(path, parameters)
        own = {p.entity for p in parameters}
        optional = [Solver.of(path, _scope_parameters(self.auth, entity))
                    for entity in sorted(scoped - own)]
        every = parameters + [p for solver in optional for p in solver.parameters]
        app = self.app

        async def guarded(request: Request) -> Response:
            async with AsyncExitStack() as stack:
                # What FastAPI's own routes put in the scope before solving dependencies.
                request.scope["fastapi_inner_astack"] = stack
                request.scope["fastapi_function_astack"] = stack
                solved = await main.solve(request, stack, app)
                if solved.errors:
                    raise RequestValidationError(solved.errors)
                values = {**solved.values,
                          **await _optional_scopes(request, stack, app, optional, solved)}
                resolved = _resolved([p for p in every if p.name in values], values, scoped)
                token = scope.CURRENT.set(resolved)
                try:
                    return await endpoint(request)
                finally:
                    scope.CURRENT.reset(token)

        return guarded
