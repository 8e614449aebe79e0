"""Each step of an analyst's work, timed over HTTP the way the browser does it: the login
form, opening an article, saving a highlight as the reader's script posts it (htmx
headers, the list's ids), and the full annotation export (CSV and JSON-LD). One client,
one step at a time, against a running server (start it as production would, e.g.
gunicorn).

    python loadtest/steps.py http://127.0.0.1:8100 load-analyst-00 load-test-password \\
        --project load-test --runs 30

Prints the median and 95th percentile of each step in milliseconds. Every highlight it
saves is deleted again (not timed), so the article keeps its count.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
import uuid
from functools import partial

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEGMENT = re.compile(r'<span class="seg" data-o="(\d+)">([^<]{40,})</span>')
HASH = re.compile(r'data-hash="([0-9a-f]{64})"')
LISTED = re.compile(r'<li class="annotation-item[^"]*" id="a(\d+)"')
ARTICLE = re.compile(r'href="(/p/[^/]+/articles/\d+/)"')


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def get(self, path: str, headers: dict | None = None) -> str:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with self.opener.open(request) as response:
            return response.read().decode("utf-8")

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[str, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        headers = {"X-CSRFToken": self.csrf(), "Referer": self.base + path, **(headers or {})}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        with self.opener.open(request) as response:
            return response.read().decode("utf-8"), dict(response.headers)

    def log_in(self, username: str, password: str) -> float:
        """The login form, filled in and sent; the milliseconds the sending took."""
        token = CSRF.search(self.get("/accounts/login/")).group(1)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        began = time.perf_counter()
        self.post("/accounts/login/", form)
        return (time.perf_counter() - began) * 1000

    def upload(self, path: str, fields: dict, files: list[tuple[str, bytes]]) -> str:
        """A form with files posted as a browser posts it; the URL it ends on."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        ]
        for filename, content in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'
            )
            parts.append(head.encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRFToken": self.csrf(),
            "Referer": self.base + path,
        }
        request = urllib.request.Request(self.base + path, data=b"".join(parts), headers=headers)
        with self.opener.open(request) as response:
            response.read()
            return response.geturl()[len(self.base) :]

    def until_refreshed(self, path: str) -> None:
        """Poll the import's progress box (as its page does, but every 50 ms) until it
        asks for the whole page again: the job is over."""
        while True:
            request = urllib.request.Request(self.base + path, headers={"HX-Request": "true"})
            with self.opener.open(request) as response:
                response.read()
                if response.headers.get("HX-Refresh"):
                    return
            time.sleep(0.05)


WORDS = [
    "ceasefire",
    "convoy",
    "talks",
    "Geneva",
    "Moscow",
    "Washington",
    "rebels",
    "aid",
    "Aleppo",
    "minister",
    "said",
    "officials",
    "monday",
    "strike",
    "opposition",
    "envoy",
    "statement",
    "government",
    "forces",
    "agreement",
]


def import_files(browser: Browser, project: str, count: int) -> tuple[float, float, str]:
    """``count`` new plain-text articles imported through the import page, as an owner
    does: upload, wait for the preview, import, wait for the report. The time until the
    preview, and from the click on Import to the report (the owner's reading of the
    preview in between is not counted); the report's words."""
    stamp = uuid.uuid4().hex[:8]
    files = []
    for n in range(count):
        words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(300)]
        body = f"Report {stamp} number {n}\n\n" + " ".join(words) + f". Item {stamp}-{n}.\n"
        files.append((f"report-{stamp}-{n}.txt", body.encode()))
    path = f"/p/{project}/import/"
    browser.get(path)  # the form, and its CSRF cookie
    began = time.perf_counter()
    batch = browser.upload(path, {"source": "", "story": ""}, files)
    browser.until_refreshed(batch)
    read = time.perf_counter() - began
    began = time.perf_counter()
    browser.post(batch, {"action": "import"})
    browser.until_refreshed(batch)
    imported = time.perf_counter() - began
    report = re.search(r"<li>Created: (\d+)</li>", browser.get(batch))
    return read * 1000, imported * 1000, f"created {report.group(1) if report else 'none'}"


def timed(step):
    began = time.perf_counter()
    result = step()
    return (time.perf_counter() - began) * 1000, result


def summary(name: str, times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"{name:<34} {statistics.median(times):>9.1f} {p95:>9.1f} {len(times):>6}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--project", required=True, help="the project's slug")
    parser.add_argument("--article", default="", help="reader path (default: the first)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--import", dest="imports", type=int, default=0, metavar="N",
        help="also import N new text files through the import page, as --owner",
    )  # fmt: skip
    parser.add_argument("--owner", default="load-owner", help="an owner (the same password)")
    args = parser.parse_args()

    logins = []
    for _ in range(3):  # a password check is the expensive part of a login
        browser = Browser(args.base)
        logins.append(browser.log_in(args.username, args.password))
    article = args.article or ARTICLE.search(browser.get(f"/p/{args.project}/")).group(1)

    opens, creates = [], []
    for run in range(args.runs + 2):
        elapsed, page = timed(lambda: browser.get(article))
        segments = SEGMENT.findall(page)  # unannotated stretches to select from
        if not segments:
            sys.exit(f"{article} has no unannotated stretch of 40 characters: pick another.")
        offset, text = segments[run % len(segments)]
        quote = html.unescape(text)[:30]
        form = {
            "start": offset,
            "end": int(offset) + len(quote),
            "quote": quote,
            "text_hash": HASH.search(page).group(1),
            "client_token": str(uuid.uuid4()),
            "listed": ",".join(LISTED.findall(page)),
            "note": "timed step",
        }
        headers = {"HX-Request": "true", "HX-Current-URL": args.base + article}
        took, (_, answered) = timed(
            lambda: browser.post(article + "annotations/", form, headers)  # noqa: B023
        )
        saved = json.loads(answered["HX-Trigger"])["annotationSaved"]["id"]  # the new one
        browser.post(f"/p/{args.project}/annotations/{saved}/delete/", {}, {"HX-Request": "true"})
        if run >= 2:  # warm-up
            opens.append(elapsed)
            creates.append(took)
    exports: dict[str, list[float]] = {"CSV": [], "JSON-LD": []}
    sizes = {}
    for _ in range(max(3, args.runs // 10)):
        for kind, name in (("CSV", "annotations.csv"), ("JSON-LD", "annotations.jsonld")):
            elapsed, body = timed(partial(browser.get, f"/p/{args.project}/export/{name}"))
            exports[kind].append(elapsed)
            sizes[kind] = len(body.encode()) / 1e6

    print(f"{'step':<34} {'median ms':>9} {'p95 ms':>9} {'runs':>6}")
    print(summary("log in (form)", logins))
    print(summary(f"open the article ({len(LISTED.findall(page))} highlights)", opens))
    print(summary("save a highlight (htmx)", creates))
    for kind, times in exports.items():
        print(summary(f"full export, {kind} ({sizes[kind]:.1f} MB)", times))
    if args.imports:
        owner = Browser(args.base)
        owner.log_in(args.owner, args.password)
        runs = [import_files(owner, args.project, args.imports) for _ in range(3)]
        print(summary(f"import {args.imports} files: to the preview", [r[0] for r in runs]))
        print(summary("  … Import to the report", [r[1] for r in runs]))
        print(summary("  … both", [r[0] + r[1] for r in runs]) + f"  ({runs[-1][2]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
