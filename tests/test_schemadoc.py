"""Schema documentation (reconciler.report.schemadoc) from YAML: the data dictionary, the ER
diagrams, hostile names, splitting and focus, determinism, and the plan's diagram.

What a browser and Mermaid itself make of the output is tested in test_schemadoc_browser.py;
docs from a live database (row estimates) and the plan comment in test_schemadoc_cli.py.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import EXAMPLES, REPO

from reconciler.errors import InputError
from reconciler.load import load_paths
from reconciler.model import Catalog, Column, ForeignKey, PrimaryKey, QualifiedName, Schema, Table
from reconciler.report import schemadoc
from reconciler.report.schemadoc import graph

CASES = REPO / "tests" / "acceptance" / "cases"
HOSTILE = REPO / "tests" / "fixtures" / "schemadoc" / "hostile"
V2 = REPO / "schemas" / "shop-v2"


def load(*paths: Path) -> Catalog:
    return load_paths(list(paths)).catalog


def render(catalog: Catalog, **options: object) -> dict[str, str]:
    return schemadoc.render(catalog, title="docs", origin="the YAML", **options)


# --- the example's dictionary -------------------------------------------------------------------


def test_markdown_dictionary_of_the_example() -> None:
    files = render(load(EXAMPLES))
    assert list(files) == ["README.md", "index.html", "er.mmd", "er.svg"]
    md = files["README.md"]
    assert "5 tables, 30 columns, 4 foreign keys, 1 enum, " not in md  # only kinds that exist are counted
    assert "5 tables, 30 columns, 4 foreign keys, 1 enum." in md
    assert "```mermaid\nerDiagram\n" in md
    # a table: comment, columns with type, nullability, default, keys and comments
    users = md[md.index("### Table `shop.users`") :]
    users = users[: users.index("\n### ", 1)]
    assert "Customers who can sign in and place orders." in users
    assert "| `email` | `citext` | no |  | unique |  |" in users
    assert "| `id` | `uuid` | no | `gen_random_uuid()` | PK |  |" in users
    assert (
        "| `deleted_at` | `timestamptz` | yes |  |  | Set when the account is closed; rows are kept for order "
        "history. |" in users
    )
    assert "**Primary key:** `(id)` named `users_pkey`" in users
    assert "| `users_email_shape` | `email ~ '^[^@[:space:]]+@[^@[:space:]]+$'` |  |" in users
    assert "| `users_active_created_idx` | `btree (created_at DESC) WHERE deleted_at IS NULL` |  |" in users
    # foreign keys both ways, linked to the other table's anchor
    orders_anchor = re.search(r'<a id="(t-shop-orders-[0-9a-f]{8})"></a>', md).group(1)
    assert f"| [`shop.orders`](#{orders_anchor}) | `orders_user_id_fkey` | `(user_id) → (id)` | restrict |" in users
    orders = md[md.index("### Table `shop.orders`") :]
    assert "| `user_id` | `uuid` | no |  | FK → [`shop.users.id`](#t-shop-users-" in orders
    assert "| `orders_open_idx` | `btree (status) WHERE status IN ('pending', 'paid')` |  |" in orders
    assert "| `status` | [`order_status`](#enum-shop-order-status-" in orders  # a type of the catalog links to it
    # the other objects of the schema
    assert (
        "### Enum `shop.order_status`" in md
        and "**Values:** `pending`, `paid`, `shipped`, `delivered`, `cancelled`" in md
    )
    assert (
        "### Sequence `shop.invoice_number_seq`" in md
        and "**Options:** bigint, start 100000, increment 1, cache 1" in md
    )


def test_mermaid_of_the_example() -> None:
    text = render(load(EXAMPLES), formats=["mermaid"])["er.mmd"]
    assert text.startswith('---\ntitle: "all 5 tables"\n---\nerDiagram\n')
    assert (
        '    "shop.order_items" {\n        bigint order_id PK,FK\n        smallint line_no PK\n        bigint '
        "product_id FK\n" in text
    )
    assert '        integer price_cents "Price in the smallest unit of `currency`."\n' in text
    # cardinality and identifying lines follow the keys (see mermaid's module doc)
    assert '    "shop.orders" ||--o{ "shop.order_items" : "order_items_order_id_fkey"\n' in text
    assert '    "shop.users" ||..o{ "shop.orders" : "orders_user_id_fkey"\n' in text


def test_svg_draws_a_box_per_table_and_a_line_per_key() -> None:
    drawing = render(load(EXAMPLES), formats=["svg"])["er.svg"]
    root = ElementTree.fromstring(drawing)
    ns = {"s": "http://www.w3.org/2000/svg"}
    tables = [g.get("data-table") for g in root.iterfind(".//s:g[@class='entity']", ns)]
    assert tables == ["shop.inventory", "shop.order_items", "shop.orders", "shop.products", "shop.users"]
    keys = sorted(g.get("data-key") or "" for g in root.iterfind(".//s:g[@class='relation']", ns))
    assert keys == [
        "inventory_product_id_fkey",
        "order_items_order_id_fkey",
        "order_items_product_id_fkey",
        "orders_user_id_fkey",
    ]
    links = [a.get("href") for a in root.iterfind(".//s:a", ns)]
    assert all(href is not None and href.startswith("index.html#t-shop-") for href in links)
    # boxes never overlap
    boxes = [
        (float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
        for r in root.iterfind(".//s:rect[@class='box']", ns)
    ]
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1


def test_html_is_one_self_contained_page() -> None:
    page = render(load(EXAMPLES), formats=["html"])["index.html"]
    assert page.count("<svg ") == 1 and page.count("<script>") == 1
    assert "default-src 'none'" in page  # the page may load nothing, and says so to the browser
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert 'id="search"' in page and 'data-search="shop users customers who can sign in' in page


def test_output_is_the_same_bytes_in_every_process(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from reconciler.load import load_paths; from reconciler.report import "
        "schemadoc;files = schemadoc.render(load_paths([Path(p) for p in sys.argv[2:]]).catalog, title='t', "
        "origin='o', limit=3);[Path(sys.argv[1], n).write_text(t) for n, t in files.items()]"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", script, str(out), str(EXAMPLES), str(HOSTILE)], check=True, env=env, timeout=120
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(outputs[0]) > 4  # split in several diagrams (limit=3): several files
    assert outputs[0] == outputs[1]


# --- everything the dictionary knows ----------------------------------------------------------


def test_dictionary_shows_policies_partitions_grants_and_triggers() -> None:
    md = render(load(CASES / "rls-enabled-with-policies" / "desired"), formats=["markdown"])["README.md"]
    assert "**Row-level security:** enabled" in md
    assert "| `hide_archived` | select | restrictive | `public` | `NOT archived` |  |" in md
    md = render(load(CASES / "list-and-hash-partitioning" / "desired"), formats=["markdown"])["README.md"]
    assert "### Partitioned table " in md and "**Partitioned by:** `list (" in md and "FOR VALUES IN (" in md
    md = render(load(CASES / "grants-on-schema-table-column-sequence" / "desired"), formats=["markdown"])["README.md"]
    assert re.search(r"\*\*Privileges:\*\* `[a-z_]+`: [A-Z]", md)
    assert re.search(r"UPDATE \([a-z_]+\)", md)  # a column privilege
    md = render(load(CASES / "function-used-by-check-and-trigger" / "desired"), formats=["markdown"])["README.md"]
    assert "**Triggers:**" in md and "| before " in md
    assert "### Function " in md and "**Returns:**" in md


def test_row_estimates_are_shown_when_given() -> None:
    catalog = load(EXAMPLES)
    sizes = {t.qname: schemadoc.TableSize(rows=1234567, bytes=5 * 1024 * 1024) for t in catalog.tables}
    sizes[QualifiedName("shop", "users")] = schemadoc.TableSize(rows=None)
    md = render(catalog, sizes=sizes, formats=["markdown"])["README.md"]
    assert "**Rows:** ≈ 1,234,567, 5.0 MB" in md
    assert "**Rows:** unknown (never analyzed)" in md
    assert "planner's estimates" in md
    assert "**Rows:**" not in render(catalog, formats=["markdown"])["README.md"]


# --- hostile names ------------------------------------------------------------------------------


def test_hostile_names_stay_text_in_every_format() -> None:
    files = render(load(HOSTILE))
    md = files["README.md"]
    prose = re.sub(r"```mermaid.*?```", "", md, flags=re.DOTALL)
    prose = re.sub(r"(`+)(?:(?!\1).)+?\1", "", prose)  # code spans show their text as is
    assert "<script" not in prose and "<img" not in prose and "<b>" not in prose and "<i>" not in prose
    assert "&lt;script&gt;alert('schema')&lt;/script&gt; \\| \\# heading" not in prose  # a schema comment is one line
    assert "&lt;script&gt;alert('schema')&lt;/script&gt; | # heading" in prose
    assert "\\# not a heading<br>\\- not a list<br>&gt; not a quote" in prose
    assert "`` two\\x0alines ``" not in md and "`two\\x0alines`" in md  # a newline in a name cannot break a line
    # HTML: our one script, no element from a name
    page = files["index.html"]
    assert page.count("<script") == 1 and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # SVG: well-formed XML whatever the names
    root = ElementTree.fromstring(files["er.svg"])
    names = [g.get("data-table") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "entity"]
    assert '"ev""il <b>".<script>alert(1)</script>' in names
    # Mermaid: every quoted string is one string, without what Mermaid would read as syntax
    for text in (files["er.mmd"], *re.findall(r"```mermaid\n(.*?)```", md, flags=re.DOTALL)):
        for line in text.splitlines()[4:]:
            assert line.count('"') % 2 == 0, line
            for string in re.findall(r'"([^"]*)"', line):
                assert not set(string) & set("<>#&%\\\n"), string


def test_mermaid_words_for_names_mermaid_cannot_carry() -> None:
    text = render(load(HOSTILE), formats=["mermaid"])["er.mmd"]
    assert '        numeric(10_2) ______ "name: }|{ ％％"' in text
    assert '        bigint parent__id_ FK "name: parent ‹id›"' in text


# --- large catalogs: split and focus ------------------------------------------------------------


def chain_catalog(schemas: int, per_schema: int, chain: int) -> Catalog:
    """`per_schema` tables per schema, linked in chains of `chain` tables."""
    tables = []
    for s in range(schemas):
        for i in range(per_schema):
            keys = ()
            if i % chain:
                keys = (ForeignKey(f"t{i}_fk", ("parent_id",), QualifiedName(f"s{s}", f"t{i - 1:02d}"), ("id",)),)
            columns = (Column("id", "bigint", nullable=False), Column("parent_id", "bigint"))
            tables.append(Table(f"s{s}", f"t{i:02d}", columns, PrimaryKey(f"t{i}_pkey", ("id",)), foreign_keys=keys))
    return Catalog(schemas=tuple(Schema(f"s{s}") for s in range(schemas)), tables=tuple(tables))


def test_a_large_catalog_is_split_per_schema_then_per_connected_group() -> None:
    catalog = chain_catalog(2, 12, 4)
    assert [d.title for d in graph.diagrams(catalog, limit=30)] == ["all 24 tables"]
    assert [d.title for d in graph.diagrams(catalog, limit=20)] == ["schema s0", "schema s1"]
    split = graph.diagrams(catalog, limit=10)  # three chains of 4 per schema: 4 + 4 fit in one part, 4 in the next
    assert [d.title for d in split] == [f"schema s{s}, part {p}" for s in range(2) for p in (1, 2)]
    assert [len(d.tables) for d in split] == [8, 4, 8, 4]
    assert [len(d.relations) for d in split] == [6, 3, 6, 3]  # every key inside one part: none crosses
    assert all(d.stubs == () for d in split)
    long_chain = graph.diagrams(chain_catalog(1, 24, 24), limit=10)
    assert [len(d.tables) for d in long_chain] == [24]  # a connected group is never cut
    files = render(catalog, limit=10)
    assert sorted(n for n in files if n.endswith(".mmd")) == [
        "er-01-schema-s0-part-1.mmd",
        "er-02-schema-s0-part-2.mmd",
        "er-03-schema-s1-part-1.mmd",
        "er-04-schema-s1-part-2.mmd",
    ]
    assert files["README.md"].count("```mermaid") == 4 and files["index.html"].count("<svg ") == 4


def test_a_foreign_key_to_another_diagram_draws_the_other_table_as_a_name() -> None:
    tables = list(chain_catalog(2, 2, 2).tables)
    tables[3] = dataclasses.replace(
        tables[3], foreign_keys=(ForeignKey("x_fk", ("parent_id",), QualifiedName("s0", "t00"), ("id",)),)
    )
    catalog = dataclasses.replace(chain_catalog(2, 2, 2), tables=tuple(tables))
    second = graph.diagrams(catalog, limit=2)[1]
    assert second.tables == (QualifiedName("s1", "t00"), QualifiedName("s1", "t01")) and second.stubs == (
        QualifiedName("s0", "t00"),
    )
    drawing = schemadoc.render(catalog, title="t", origin="o", formats=["svg"], limit=2)["er-02-schema-s1.svg"]
    assert '<g class="entity stub" data-table="s0.t00">' in drawing


def test_focus_shows_the_neighbourhood_of_one_table() -> None:
    catalog = load(EXAMPLES)
    files = render(catalog, focus="orders", depth=1)
    mermaid = files["er.mmd"]
    entities = re.findall(r'^    "([^"]+)" \{', mermaid, flags=re.MULTILINE)
    assert entities == ["shop.order_items", "shop.orders", "shop.users", "shop.products"]  # products: a name only
    assert 'title: "shop.orders and its neighbours within 1 foreign key(s)"' in mermaid
    assert "### Table `shop.inventory`" not in files["README.md"] and "### Table `shop.users`" in files["README.md"]
    assert re.findall(
        r'^    "([^"]+)" \{', render(catalog, focus="shop.orders", depth=2)["er.mmd"], flags=re.MULTILINE
    )[:5] == ["shop.order_items", "shop.orders", "shop.products", "shop.users", "shop.inventory"]


@pytest.mark.parametrize(
    ("focus", "message"),
    [
        ("nope", "--focus 'nope': no such table"),
        ("orders.x", "--focus 'orders.x': no such table"),
    ],
)
def test_focus_on_an_unknown_table_is_an_input_error(focus: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        render(load(EXAMPLES), focus=focus)


# --- the plan's diagram -------------------------------------------------------------------------


def test_plan_diagram_marks_added_dropped_changed_and_renamed_columns() -> None:
    live, desired = load(EXAMPLES), load(V2)
    touched = [QualifiedName("shop", n) for n in ("inventory", "orders", "products", "users")]
    text = schemadoc.plan_diagram(live, desired, touched)
    assert text is not None
    assert '    "shop.inventory (changed)" {' in text and '        integer reserved "- dropped"' in text
    assert '        integer item_count "+ added"' in text
    assert '        bigint price_cents "~ type integer → bigint; now nullable"' in text
    assert '        text display_name "~ renamed from full_name"' in text
    # neighbours are names only; relations between changed tables and neighbours are drawn
    assert '"shop.order_items"' in text and '"shop.order_items" {' not in text
    assert '    "shop.orders (changed)" ||--o{ "shop.order_items" : "order_items_order_id_fkey"' in text
    section = schemadoc.plan_diagram_markdown(live, desired, touched)
    assert section.startswith("### Tables this plan changes\n\n```mermaid\nerDiagram\n")


def test_plan_diagram_of_new_and_dropped_tables_and_keys() -> None:
    live = chain_catalog(1, 3, 3)
    kept, middle, last = live.tables
    new = Table(
        "s0",
        "t09",
        (Column("id", "bigint", nullable=False), Column("t00_id", "bigint")),
        PrimaryKey("t09_pkey", ("id",)),
        foreign_keys=(ForeignKey("t09_fk", ("t00_id",), kept.qname, ("id",)),),
    )
    desired = dataclasses.replace(live, tables=(kept, dataclasses.replace(middle, foreign_keys=()), new))
    text = schemadoc.plan_diagram(live, desired, [middle.qname, last.qname, new.qname])
    assert text is not None
    assert '    "s0.t09 (new)" {' in text and '    "s0.t02 (dropped)" {' in text
    assert '    "s0.t00" |o..o{ "s0.t09 (new)" : "+ t09_fk"' in text  # a nullable key: zero or one parent
    assert '    "s0.t00" |o..o{ "s0.t01 (changed)" : "- t1_fk (dropped)"' in text  # dropped: dashed
    assert '    "s0.t01 (changed)" |o..o{ "s0.t02 (dropped)" : "- t2_fk (dropped)"' in text
    assert schemadoc.plan_diagram(live, live, [kept.qname]) is None  # a table only locked changes nothing
    assert schemadoc.plan_diagram_markdown(live, live, [kept.qname]) == ""


def test_diagrams_show_types_short_and_the_dictionary_exactly() -> None:
    columns = (
        Column("at", "timestamp(3) with time zone", nullable=False),
        Column("code", "character varying(8)"),
        Column("state", "shop.order_status"),
        Column("tags", "character(2)[]"),
    )
    catalog = Catalog(schemas=(Schema("shop"),), tables=(Table("shop", "t", columns),))
    files = render(catalog)
    assert (
        "        timestamptz(3) at\n        varchar(8) code\n        order_status state\n        char(2)[] tags\n"
        in files["er.mmd"]
    )
    assert ">timestamptz(3)</text>" in files["er.svg"] and ">varchar(8)</text>" in files["er.svg"]
    assert "| `at` | `timestamp(3) with time zone` | no |" in files["README.md"]


def test_a_partitioned_table_counts_the_rows_of_its_partitions() -> None:
    catalog = load(CASES / "list-and-hash-partitioning" / "desired")
    parts = [t for t in catalog.tables if t.partition_of is not None]
    parent = parts[0].partition_of.parent
    siblings = [t for t in parts if t.partition_of.parent == parent]
    sizes = {t.qname: schemadoc.TableSize(rows=100, bytes=8192) for t in siblings}
    md = render(catalog, sizes=sizes, formats=["markdown"])["README.md"]
    assert f"**Rows:** ≈ {100 * len(siblings)}, {8 * len(siblings)}.0 kB in its partitions" in md
    sizes = {t.qname: schemadoc.TableSize(rows=None) for t in siblings}
    assert (
        "**Rows:** unknown (no partition analyzed)" in render(catalog, sizes=sizes, formats=["markdown"])["README.md"]
    )
