"""Dependencies between schema objects, read from the desired model's parsed SQL.

Stage: sqlparse, shared by `ddl.catalog` (creating a catalog in dependency order) and the planner
(`plan.dependencies`, which adds the live side from pg_depend). A node is (kind, schema, name)
with kind `table`, `view`, `materialized view`, `function` (overloads share a node: a view names a
function, not a signature), `domain` or `composite type`. Edges point from an object to what it needs.

Desired-side edges come from pglast parse trees: the relations and function calls of a view
query, the function of a trigger, the function calls in checks, defaults, generated columns and
index expressions, the functions a domain's checks and default call, and the row types (tables,
views, composite types) and domains a function's arguments and result name. Unqualified names
resolve in the object's schema, then `public`, as the loader documents; names the catalog does
not define (built-in functions, tables of other schemas) are not nodes and carry no edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from reconciler.model import Catalog, Domain, Function, Index, MaterializedView, Table, View
from reconciler.sqlparse.fragments import SqlTextError, items, parse_type
from reconciler.sqlparse.queries import references

Node = tuple[str, str, str]
Edges = dict[Node, set[Node]]


def views_of(catalog: Catalog) -> tuple[View | MaterializedView, ...]:
    return (*catalog.views, *catalog.materialized_views)


def view_node(view: View | MaterializedView) -> Node:
    return ("view" if isinstance(view, View) else "materialized view", view.schema, view.name)


class _Resolver:
    def __init__(self, catalog: Catalog) -> None:
        self.relations: dict[tuple[str, str], Node] = {}
        for table in catalog.tables:
            self.relations[(table.schema, table.name)] = ("table", table.schema, table.name)
        for view in views_of(catalog):
            self.relations[(view.schema, view.name)] = view_node(view)
        self.functions = {(f.schema, f.name): ("function", f.schema, f.name) for f in catalog.functions}
        self.types = dict(self.relations)
        self.types.update({(d.schema, d.name): ("domain", d.schema, d.name) for d in catalog.domains})
        self.types.update({(t.schema, t.name): ("composite type", t.schema, t.name) for t in catalog.composite_types})

    def resolve(
        self, names: Iterable[tuple[str | None, str]], schema: str, known: dict[tuple[str, str], Node]
    ) -> set[Node]:
        found = set()
        for qualifier, name in names:
            for candidate in (qualifier,) if qualifier else (schema, "public"):
                node = known.get((candidate, name))
                if node is not None:
                    found.add(node)
                    break
        return found

    def expression(self, text: str | None, schema: str) -> set[Node]:
        if text is None:
            return set()
        _, functions = references(text, query=False)
        return self.resolve(functions, schema, self.functions)

    def type_(self, text: str | None, schema: str) -> set[Node]:
        """The catalog's row type or domain that a type name (or an array of it) names."""
        if text is None:
            return set()
        try:
            names = [getattr(part, "sval", "") for part in items(getattr(parse_type(text).node, "names", None))]
        except SqlTextError:
            return set()
        if len(names) > 2 or (len(names) == 2 and names[0] == "pg_catalog"):
            return set()
        return self.resolve([(names[0] if len(names) == 2 else None, names[-1])], schema, self.types)


_CACHE: dict[int, tuple[Catalog, Edges]] = {}


def desired_edges(catalog: Catalog) -> Edges:
    """object -> objects it needs, for every object of `catalog` (computed once per catalog value:
    the planner asks many times; callers must not modify the result)."""
    hit = _CACHE.get(id(catalog))
    if hit is not None and hit[0] is catalog:
        return hit[1]
    edges = _edges(catalog)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(catalog)] = (catalog, edges)
    return edges


def _edges(catalog: Catalog) -> Edges:
    resolver = _Resolver(catalog)
    edges: Edges = defaultdict(set)
    for view in views_of(catalog):
        relations, functions = references(view.query, query=True)
        node = view_node(view)
        edges[node] |= resolver.resolve(relations, view.schema, resolver.relations) - {node}
        edges[node] |= resolver.resolve(functions, view.schema, resolver.functions)
        for index in getattr(view, "indexes", ()):
            edges[node] |= _index_functions(resolver, index, view.schema)
    for table in catalog.tables:
        edges[("table", table.schema, table.name)] |= _table_functions(resolver, table)
    for domain in catalog.domains:
        node = ("domain", domain.schema, domain.name)
        for text in (domain.default, *(c.expression for c in domain.checks)):
            edges[node] |= resolver.expression(text, domain.schema)
    for function in catalog.functions:
        edges[function_node(function)] |= signature_types(resolver, function)
    return dict(edges)


def function_node(function: Function) -> Node:
    return ("function", function.schema, function.name)


def signature_types(resolver: _Resolver, function: Function) -> set[Node]:
    """Row types and domains of the catalog named by a routine's arguments and result: it can
    only be created once they exist."""
    texts = [a.type for a in function.arguments] + [function.returns] + [c.type for c in function.table]
    return {n for text in texts for n in resolver.type_(text, function.schema)}


def routine_needs(catalog: Catalog) -> dict[str, set[Node]]:
    """str(routine) -> the row types and domains of the catalog its signature names."""
    resolver = _Resolver(catalog)
    return {str(f): signature_types(resolver, f) for f in catalog.functions}


def late_routines(catalog: Catalog, kinds: tuple[str, ...] = ("table", "view", "materialized view")) -> list[Function]:
    """Routines whose signature names the row type of a relation of `kinds`: created after the
    relation (domains and composite types exist before every routine)."""
    resolver = _Resolver(catalog)
    return [f for f in catalog.functions if any(n[0] in kinds for n in signature_types(resolver, f))]


def domains_calling(catalog: Catalog) -> list[Domain]:
    """Domains whose default or checks call a routine of the catalog: they get them with
    ALTER DOMAIN once the routines exist (a routine may take the domain as an argument)."""
    edges = desired_edges(catalog)
    return [d for d in catalog.domains if any(n[0] == "function" for n in edges.get(("domain", d.schema, d.name), ()))]


def _index_functions(resolver: _Resolver, index: Index, schema: str) -> set[Node]:
    found = resolver.expression(index.where, schema)
    for element in index.elements:
        found |= resolver.expression(element.expression, schema)
    return found


def _table_functions(resolver: _Resolver, table: Table) -> set[Node]:
    """Functions a table needs: in checks, defaults, generated columns, index expressions, triggers."""
    found: set[Node] = set()
    for check in table.checks:
        found |= resolver.expression(check.expression, table.schema)
    for column in table.columns:
        found |= resolver.expression(column.default, table.schema)
        found |= resolver.expression(column.generated.expression if column.generated else None, table.schema)
    for index in table.indexes:
        found |= _index_functions(resolver, index, table.schema)
    for trigger in table.triggers:
        found.add(("function", trigger.function.schema, trigger.function.name))
    return found


def topological(nodes: Iterable[Node], edges: Edges) -> list[Node]:
    """`nodes` with every node after the nodes it needs (among `nodes`), ties by name; a cycle
    keeps the remaining nodes in name order (PostgreSQL will then report the real problem)."""
    pending = sorted(set(nodes))
    wanted = set(pending)
    placed: list[Node] = []
    done: set[Node] = set()
    while pending:
        ready = [n for n in pending if not ((edges.get(n, set()) & wanted) - done - {n})]
        if not ready:
            ready = pending[:1]
        for node in ready:
            placed.append(node)
            done.add(node)
        pending = [n for n in pending if n not in done]
    return placed


def dependants(start: Iterable[Node], edges: Edges) -> set[Node]:
    """Every node that needs one of `start`, transitively (not `start` itself)."""
    reverse: dict[Node, set[Node]] = defaultdict(set)
    for node, needs in edges.items():
        for need in needs:
            reverse[need].add(node)
    start = list(start)
    return reachable(start, reverse) - set(start)


def reachable(start: Iterable[Node], users: dict[Node, set[Node]]) -> set[Node]:
    """Every node reached from `start` by following `users` (node -> the nodes that need it)."""
    found: set[Node] = set()
    queue = list(start)
    while queue:
        for user in users.get(queue.pop(), ()):
            if user not in found:
                found.add(user)
                queue.append(user)
    return found


def view_order(catalog: Catalog) -> list[View | MaterializedView]:
    """Views and materialized views of `catalog`, each after the views it selects from."""
    by_node = {view_node(v): v for v in views_of(catalog)}
    return [by_node[n] for n in topological(by_node, desired_edges(catalog))]
