import json
import platform

from django.core.management.base import BaseCommand
from django.db import connection

from apps.analysis.benchmark import SCALES, as_json, run_benchmark


class Command(BaseCommand):
    help = (
        "Time the hot paths (median, p95, queries). Builds a synthetic project in the "
        "configured database: point DATABASE_URL at a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--json", dest="json_path", help="also write the results here")

    def handle(self, *args, scale: str, runs: int, json_path: str | None, **options):
        results = run_benchmark(scale=scale, runs=runs, log=self.stdout.write)
        vendor = connection.vendor
        self.stdout.write(f"\n{scale} scale on {vendor}, Python {platform.python_version()}")
        self.stdout.write(
            f"{'operation':<34} {'median ms':>9} {'p95 ms':>9} {'queries':>8} {'runs':>6}"
        )
        for result in results:
            self.stdout.write(result.row())
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(
                    {"scale": scale, "database": vendor, "results": as_json(results)},
                    handle,
                    indent=2,
                )
