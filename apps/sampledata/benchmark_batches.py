"""Timing of imports (through the command and the background job) and of a large
export, each in a fresh process as a user runs it, with its peak memory. Figures are for
information: nothing here is asserted.
"""

from __future__ import annotations

import html
import io
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from apps.corpus.reading import read_files
from apps.sampledata.synthetic import _article_text, _sentences, generate_corpus

# files per import, annotations in the export
BATCH_SCALES = {"small": (100, 10_000), "large": (1_000, 100_000), "xl": (1_000, 100_000)}


@dataclass
class BatchResult:
    operation: str
    seconds: float
    peak_mb: float
    detail: str

    def row(self) -> str:
        return f"{self.operation:<34} {self.seconds:9.2f} s {self.peak_mb:8.0f} MB  {self.detail}"


# Runs the command as a child of a small process, which reports the child's peak memory:
# measured from this (large) process, Linux would count memory it shared before exec.
_MEASURE = """
import json, resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({
    "seconds": time.perf_counter() - began,
    "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "code": done.returncode,
    "out": done.stdout[-2000:],
    "err": done.stderr[-2000:],
}))
"""


def _run_manage(*args: str) -> tuple[float, float, str]:
    """Run a management command in a fresh process, as a user would: wall time, that
    process's peak memory (RSS, MB), and the last line it printed."""
    connections.close_all()
    # As in production: with DEBUG on, Django keeps the last 9,000 queries' SQL (whole
    # article texts among them), which is most of a long import's memory.
    production = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "*"}
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **production},
        capture_output=True,
        text=True,
        check=True,
    )
    outcome = json.loads(measured.stdout)
    # 1: the import finished with rejected items; anything else, or no output, failed.
    if outcome["code"] not in (0, 1) or (
        outcome["code"] == 1 and "Import into" not in outcome["out"]
    ):
        raise RuntimeError(f"manage.py {' '.join(args)} failed: {outcome['err'][-500:]}")
    lines = [line for line in outcome["out"].splitlines() if line.strip()]
    return outcome["seconds"], outcome["peak_kb"] / 1024, lines[-1] if lines else ""


def _synthetic_files(count: int, kind: str, folder: str) -> list[str]:
    sentences = _sentences()
    rng = random.Random(11)
    paths = []
    for n in range(count):
        body = _article_text(rng, sentences, n).split("\n\n")
        if kind == "html":
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
            content = (
                f"<!doctype html><html><head><title>Bench page {n}</title>"
                f'<meta property="article:published_time" content="2016-09-{1 + n % 28:02d}">'
                "<script>track()</script></head><body><nav>Home · World · Share this</nav>"
                f"<article><h1>Bench page {n}</h1>{paragraphs}</article>"
                "<footer>Subscribe · Follow us</footer></body></html>"
            )
            name = f"page-{n:05d}.html"
        else:
            content = f"Bench text {n}\n21/06/2016\n" + "\n".join(body) + "\nShare this\n"
            name = f"text-{n:05d}.txt"
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
        paths.append(path)
    return paths


def _mixed_files(count: int, folder: str) -> None:
    """What an analyst's folder holds: CMS exports with front matter from many outlets,
    XML article files, one-line dataset texts with datelines, and a CSV of rows."""
    sentences = _sentences()
    rng = random.Random(13)
    rows = ["title,source,date,text"]
    for n in range(count):
        body = _article_text(rng, sentences, n).split("\n\n")
        outlet = f"outlet{n % 20}"
        kind = n % 4
        if kind == 0:
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
            name, content = (
                f"post-{n:05d}.html",
                (
                    f"---\npost_title: 'Bench post {n} &#8211; Outlet {n % 20}'\n"
                    f"post_date: 2016-09-{1 + n % 28:02d} 10:00:00\n"
                    f"original_link: 'https://www.{outlet}.example/news/{n}'\n---\n"
                    f"[ad_1]<div>{paragraphs}</div>[ad_2]<a href='x'>Source</a>"
                ),
            )
        elif kind == 1:
            text = html.escape(" ".join(body))
            name, content = (
                f"article-{n:05d}.xml",
                (
                    f"<article><mainText>{text}</mainText><portal>{outlet}</portal>"
                    f"<title>Bench XML {n}</title><uri>https://{outlet}.example/x/{n}</uri></article>"
                ),
            )
        elif kind == 2:
            name = f"row-{n:05d}.txt"
            content = f"Wed 05 Apr 2017 Bench row {n}. " + " ".join(body)
        else:
            text = " ".join(body).replace('"', '""')
            rows.append(f'Bench CSV {n},{outlet},4/5/2017,"{text}"')
            continue
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(content)
    with open(os.path.join(folder, "rows.csv"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")


def _job_import_seconds(count: int) -> tuple[float, float, str]:
    """Mixed files the way the import page takes them: uploaded into a batch, read by a
    worker (``db_worker``, the database task backend), then imported by a worker. Time
    of both jobs, and the larger of the two workers' peak memory."""
    from apps.corpus.jobs import start_import, start_reading
    from apps.corpus.models import ImportBatch, ImportState
    from apps.projects.models import Project

    def work() -> tuple[float, float]:
        seconds, peak, _ = _run_manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        return seconds, peak

    with tempfile.TemporaryDirectory() as folder:
        _mixed_files(count, folder)
        files = []
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as handle:
                files.append((name, handle.read()))
    slug = f"bench-job-{count}-{int(time.time())}"
    batch = ImportBatch.objects.create(project=Project.objects.create(slug=slug, name=slug))
    start_reading(batch, files)
    read_seconds, read_peak = work()
    batch.refresh_from_db()
    if batch.state != ImportState.PREPARED:
        raise RuntimeError(f"reading the batch failed: {batch.state} {batch.error}")
    start_import(batch)
    import_seconds, import_peak = work()
    batch.refresh_from_db()
    if batch.state != ImportState.DONE:
        raise RuntimeError(f"importing the batch failed: {batch.state} {batch.error}")
    detail = (
        f"read {read_seconds:.1f} s, {read_peak:.0f} MB; import {import_seconds:.1f} s, "
        f"{import_peak:.0f} MB; {len(batch.report['created'])} created"
    )
    return read_seconds + import_seconds, max(read_peak, import_peak), detail


def _zip_bomb_seconds() -> tuple[float, str]:
    """How long refusing a zip bomb takes (six members of 4 MB of zeros, 25 kB zipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(6):
            archive.writestr(f"a{n}.txt", b"0" * 4_000_000)
    began = time.perf_counter()
    items = read_files([("bomb.zip", buffer.getvalue())])
    seconds = time.perf_counter() - began
    return seconds, f"{len(buffer.getvalue()) // 1000} kB zip: {items[0].error}"


def run_batch_benchmark(*, scale: str, log=print) -> list[BatchResult]:
    """Import of text and HTML files (both cores), export of many annotations."""
    from apps.corpus.models import Source
    from apps.projects.models import Project

    files, export_size = BATCH_SCALES[scale]
    results = []
    source, _ = Source.objects.get_or_create(name="Bench outlet")
    for kind in ("text", "html"):
        with tempfile.TemporaryDirectory() as folder:
            _synthetic_files(files, kind, folder)
            slug = f"bench-import-{kind}-{scale}-{int(time.time())}"
            Project.objects.create(slug=slug, name=slug)
            seconds, peak, detail = _run_manage(
                "import_articles", folder, "--project", slug, "--source", source.name
            )
            log(f"  import of {files} {kind} files: {seconds:.2f} s ({detail})")
            results.append(BatchResult(f"import {files} {kind} files", seconds, peak, detail))
    with tempfile.TemporaryDirectory() as folder:
        _mixed_files(files, folder)
        slug = f"bench-import-mixed-{scale}-{int(time.time())}"
        Project.objects.create(slug=slug, name=slug)
        seconds, peak, detail = _run_manage("import_articles", folder, "--project", slug)
        log(f"  import of {files} mixed files, no sources given: {seconds:.2f} s ({detail})")
        results.append(BatchResult(f"import {files} mixed files", seconds, peak, detail))
    for count in (files, files * 2):
        seconds, peak, detail = _job_import_seconds(count)
        log(f"  {count} mixed files through the background job: {seconds:.2f} s ({detail})")
        results.append(BatchResult(f"job: import {count} mixed files", seconds, peak, detail))
    seconds, detail = _zip_bomb_seconds()
    log(f"  zip bomb refused in {seconds * 1000:.0f} ms ({detail})")
    results.append(BatchResult("refuse a zip bomb", seconds, 0.0, detail))

    log(f"Generating {export_size} annotations for the export…")
    corpus = generate_corpus(
        project_slug=f"bench-export-{scale}",
        articles=max(100, export_size // 50),
        sources=20,
        annotations=export_size,
        seed=5,
    )
    project = corpus.project

    seconds, peak, _ = _run_manage(
        "export_annotations", "--project", project.slug, "-o", os.devnull, "--bom"
    )
    detail = f"{corpus.annotations} rows"
    log(f"  export: {seconds:.2f} s ({detail})")
    results.append(BatchResult(f"export {corpus.annotations} annotations", seconds, peak, detail))
    with tempfile.TemporaryDirectory() as folder:
        qdpx = os.path.join(folder, "project.qdpx")
        seconds, peak, _ = _run_manage(
            "export_annotations", "--project", project.slug, "--format", "qdpx", "-o", qdpx
        )
        detail = f"{corpus.annotations} passages, {os.path.getsize(qdpx) / 1e6:.1f} MB"
    log(f"  export as .qdpx: {seconds:.2f} s ({detail})")
    results.append(
        BatchResult(f"export .qdpx, {corpus.annotations} passages", seconds, peak, detail)
    )
    return results
