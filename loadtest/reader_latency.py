"""Time from saving an annotation (Ctrl+Enter in the reader's form) to its highlight in
the text, as an analyst sees it: a real Chromium against a running server.

    python loadtest/reader_latency.py http://127.0.0.1:8000 analyst demo --runs 40

Each run selects a passage of the demo's first article, ticks a tag, saves, and waits for
the new highlight (the clock runs in the page, from the key press to the mark's
insertion); the annotation is then deleted through the page, so the article stays as it
was. Prints the median and 95th percentile in milliseconds."""

from __future__ import annotations

import argparse
import statistics
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"

MEASURE = """() => new Promise((resolve) => {
  const before = new Set(Array.from(document.querySelectorAll('#annotation-list .annotation-item'))
    .map((li) => li.dataset.annotation));
  const started = performance.now();
  const seen = () => Array.from(document.querySelectorAll('#article-text mark[data-a]'))
    .some((m) => m.dataset.a.split(' ').some((id) => !before.has(id)));
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - started));
  });
  observer.observe(document.body, { childList: true, subtree: true });
  document.getElementById('annotation-form').requestSubmit();
})"""

SELECT = """(n) => {
  const paragraphs = document.querySelectorAll('#article-text p');
  const p = paragraphs[n % paragraphs.length];
  const node = p.querySelector('[data-o]').firstChild;
  const r = document.createRange();
  r.setStart(node, 0);
  r.setEnd(node, Math.min(node.data.length, 24));
  getSelection().removeAllRanges();
  getSelection().addRange(r);
  document.getElementById('article-text').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--article", default="", help="reader URL path (default: the first)")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(args.base + "/accounts/login/")
        page.fill("#id_username", args.username)
        page.fill("#id_password", args.password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state()
        if args.article:
            page.goto(args.base + args.article)
        else:
            page.locator("a", has_text="Syria").first.click()
            page.locator("table a").first.click()
        page.wait_for_load_state()
        page.on("dialog", lambda dialog: dialog.accept())
        times = []
        for n in range(args.runs + 3):
            page.evaluate(SELECT, n)
            page.locator("#annotation-form .tag-option input").first.check()
            elapsed = page.evaluate(MEASURE)
            if n >= 3:  # warm-up
                times.append(elapsed)
            page.wait_for_selector("#annotation-form", state="hidden")
            items = page.locator("#annotation-list .annotation-item.current .delete-button")
            items.first.click()
            page.wait_for_load_state("networkidle")
        browser.close()
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"save → highlight visible: median {statistics.median(times):.0f} ms, "
        f"p95 {p95:.0f} ms, {len(times)} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
