import json
import platform
from dataclasses import asdict

from django.core.management.base import BaseCommand
from django.db import connection

from apps.sampledata.benchmark import SCALES, as_json, run_benchmark
from apps.sampledata.benchmark_batches import run_batch_benchmark


class Command(BaseCommand):
    help = (
        "Time the hot paths (median, p95, queries) and the batch jobs (import, export: "
        "time and peak memory). Builds synthetic projects in the configured database: "
        "point DATABASE_URL at a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--json", dest="json_path", help="also write the results here")
        parser.add_argument(
            "--only",
            choices=["requests", "batches"],
            help="only the timed requests, or only import and export",
        )

    def handle(self, *args, scale: str, runs: int, json_path: str | None, only, **options):
        results, batches = [], []
        if only != "batches":
            results = run_benchmark(scale=scale, runs=runs, log=self.stdout.write)
        if only != "requests":
            batches = run_batch_benchmark(scale=scale, log=self.stdout.write)
        vendor = connection.vendor
        self.stdout.write(f"\n{scale} scale on {vendor}, Python {platform.python_version()}")
        if results:
            self.stdout.write(
                f"{'operation':<34} {'median ms':>9} {'p95 ms':>9} {'queries':>8} {'runs':>6}"
            )
            for result in results:
                self.stdout.write(result.row())
        if batches:
            self.stdout.write(f"{'batch':<34} {'time':>11} {'peak RSS':>11}")
            for batch in batches:
                self.stdout.write(batch.row())
        if json_path:
            payload = {
                "scale": scale,
                "database": vendor,
                "results": as_json(results),
                "batches": [asdict(b) for b in batches],
            }
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2)
