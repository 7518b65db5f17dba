"""Queries whose shape never changes, compiled by the ORM once per process.

Django builds and compiles a queryset's SQL on every request: for a page's small reads (a case's
team, its family members, its consents, a page of its chronology) that took more of the web
server's time than the database took to answer them. A `Precompiled` query is written as an ordinary
queryset-building function whose arguments are ids; the first call builds it with placeholder ids,
keeps the SQL, where in the parameters each id goes, and the compiler that knows how to turn rows
into model instances (select_related included); later calls only bind the ids and run it.

Only ids may vary: anything that changes the SQL itself (which filters apply, a `None`) belongs in
the function's name or in a second `Precompiled`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# Placeholder ids: negative, so no row has one, and far from any value a query writes itself.
_PLACEHOLDER_BASE = -7_654_321_000


def _compile(queryset: QuerySet, using: str, slots: dict[int, str]):
    """The compiler, its SQL, and the parameters with each placeholder replaced by its name."""
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    return compiler, sql, [(slots[p], None) if type(p) is int and p in slots else (None, p) for p in params]


class _Compiled:
    def __init__(self, queryset: QuerySet, placeholders: dict[str, int], unused_ok: frozenset[str]):
        if queryset._prefetch_related_lookups:
            raise ValueError("a precompiled query cannot prefetch")
        if queryset.query.is_sliced:
            raise ValueError("a precompiled query is not sliced: read a part of it with page()")
        self.using = router.db_for_read(queryset.model)
        self.names = placeholders.keys()
        slots = {value: name for name, value in placeholders.items()}
        self.compiler, self.sql, self.params = _compile(queryset, self.using, slots)
        missing = set(placeholders) - {name for name, _ in self.params if name} - unused_ok
        if missing:
            raise ValueError(f"the query does not use {', '.join(sorted(missing))} as a parameter")
        # Counted by id, without the ordering or the related rows' columns.
        _, count_sql, self.count_params = _compile(queryset.order_by().values("pk"), self.using, slots)
        self.count_sql = f"SELECT COUNT(*) FROM ({count_sql}) counted"  # noqa: S608 (compiled by the ORM)
        select, klass_info = self.compiler.select, self.compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.populators = get_related_populators(klass_info, select, self.using)
        self.annotations = list((self.compiler.annotation_col_map or {}).items())

    @staticmethod
    def bind(slots: list[tuple[str | None, Any]], values: dict[str, int]) -> list:
        return [values[name] if name else value for name, value in slots]

    def rows(self, values: dict[str, int], limit: int | None, offset: int) -> list[Model]:
        sql, params = self.sql, self.bind(self.params, values)
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        objects = []
        for row in self.compiler.results_iter(results=[fetched]):
            obj = self.model.from_db(self.using, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def count(self, values: dict[str, int]) -> int:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.count_sql, self.bind(self.count_params, values))
            return cursor.fetchone()[0]


class Precompiled(Generic[M]):
    """`team = Precompiled(lambda case_id: CaseMember.objects.filter(case_id=case_id)...)`, then
    `team(case_id=case.pk)` is the list of members, `team.page(..., limit=20, offset=40)` a page of
    it, `team.count(case_id=case.pk)` how many, and `team.lazy(case_id=...)` something a Paginator
    can page."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, unused_ok: frozenset[str] = frozenset()):
        """`unused_ok`: ids the query may leave unused (say, a user's team where the rule at hand does
        not read it); any other id it does not use is a mistake, refused when it is compiled."""
        self.build = build
        self.unused_ok = unused_ok
        self._compiled: _Compiled | None = None

    def _get(self, values: dict[str, int]) -> _Compiled:
        for name, value in values.items():
            if type(value) is not int:
                raise TypeError(f"{name} must be an id (an int), not {type(value).__name__}")
        if self._compiled is None:
            placeholders = {name: _PLACEHOLDER_BASE - n for n, name in enumerate(sorted(values))}
            self._compiled = _Compiled(self.build(**placeholders), placeholders, self.unused_ok)
        elif values.keys() != self._compiled.names:
            raise TypeError(f"expected the ids {', '.join(sorted(self._compiled.names))}")
        return self._compiled

    def __call__(self, **values: int) -> list[M]:
        return self._get(values).rows(values, None, 0)

    def page(self, *, limit: int, offset: int = 0, **values: int) -> list[M]:
        return self._get(values).rows(values, limit, offset)

    def count(self, **values: int) -> int:
        return self._get(values).count(values)

    def lazy(self, **values: int) -> PrecompiledList[M]:
        return PrecompiledList(self, values)


class PrecompiledList(Generic[M]):
    """A precompiled query's rows as Django's Paginator reads a queryset: counted once, then sliced."""

    ordered = True  # the query's own ORDER BY; Paginator warns about unordered lists

    def __init__(self, query: Precompiled[M], values: dict[str, int]):
        self.query, self.values = query, values
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.query.count(**self.values)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[M]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a precompiled list is read a page (a slice) at a time")
        start = index.start or 0
        if index.stop is None:
            return self.query(**self.values)[start:]
        return self.query.page(limit=max(index.stop - start, 0), offset=start, **self.values)

    def __iter__(self):
        return iter(self.query(**self.values))
