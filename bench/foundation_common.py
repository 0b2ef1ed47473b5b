"""Shared set-up for the foundation benchmarks: Django with our settings, and what machine this is.

Run against PostgreSQL, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polity_bench python bench/foundation_demo.py
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("note: the targets are for PostgreSQL; set DATABASE_URL=postgres://...", file=sys.stderr)


def machine() -> str:
    from django.db import connection

    model = platform.processor() or "?"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")),
            model,
        )
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            db = connection.vendor
    load = os.getloadavg()[0]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{when}; {os.cpu_count()} cores ({model}); load {load:.1f}; {db}; Python {platform.python_version()}"
    )


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


class CpuClock:
    """CPU seconds used by this process and by its PostgreSQL backend (same machine) during a block.

    On a shared, loaded machine wall time mostly measures the neighbours; client + server CPU time is
    what the work itself costs, and bounds what an idle machine would take.
    """

    def __init__(self) -> None:
        from django.db import connection

        self.backend_pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]

    def _server(self) -> float:
        if self.backend_pid is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuClock:
        import time

        self._wall, self._client, self._srv = time.perf_counter(), time.process_time(), self._server()
        return self

    def __exit__(self, *exc: object) -> None:
        import time

        self.wall = time.perf_counter() - self._wall
        self.client = time.process_time() - self._client
        self.server = self._server() - self._srv

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall (CPU: {self.client:.1f} s client + {self.server:.1f} s database)"
