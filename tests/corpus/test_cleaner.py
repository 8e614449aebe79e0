"""Cleaning in worker processes, each item within a time budget."""

import time

from apps.corpus.cleaner import _clean_pair, clean_in_processes
from apps.corpus.reading import Item


def _slow_on_purpose(pair):
    item, _ = pair
    if item.name == "stuck.html":
        time.sleep(30)  # a page that would keep a worker busy; killed long before this
    return _clean_pair(pair)


def _items(*names):
    return [(Item(name=n, raw="Headline\nKerry warned Russia about Aleppo."), []) for n in names]


def test_an_item_over_its_budget_is_refused_and_the_rest_are_cleaned(db):
    pairs = _items("a.txt", "stuck.html", "b.txt", "c.txt")
    done = clean_in_processes(pairs, workers=2, budget=1, clean=_slow_on_purpose)
    assert [item.name for item in done] == ["a.txt", "stuck.html", "b.txt", "c.txt"]
    assert [item.status for item in done] == ["", "rejected", "", ""]
    assert "took longer than 1 s" in done[1].error
    assert all(
        item.text == "Kerry warned Russia about Aleppo." for i, item in enumerate(done) if i != 1
    )


def test_progress_is_reported_for_every_item(db):
    seen = []
    clean_in_processes(
        _items("a.txt", "b.txt"), workers=2, progress=lambda n, t: seen.append((n, t))
    )
    assert seen == [(1, 2), (2, 2)]


def test_a_process_running_other_threads_cleans_in_itself(db):
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()  # like an autoreloader or a test browser beside the worker
    try:
        done = clean_in_processes(_items("a.txt", "b.txt"), workers=2, budget=1)
    finally:
        stop.set()
    assert [item.text for item in done] == ["Kerry warned Russia about Aleppo."] * 2


def sigterm_disposition(pair):
    import signal

    item, _ = pair
    item.text = "default" if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL else "handled"
    return item


# In a fresh process (with one thread: one with more cleans in itself), as the task
# worker is: SIGTERM handled to finish the task first.
_LIKE_THE_WORKER = """
import signal, django
signal.signal(signal.SIGTERM, lambda *_: None)
django.setup()
from apps.corpus.cleaner import clean_in_processes
from apps.corpus.reading import Item
from tests.corpus.test_cleaner import sigterm_disposition
pairs = [(Item(name=n, raw="Headline\\nKerry warned Russia."), []) for n in "abc"]
print(" ".join(i.text for i in clean_in_processes(pairs, workers=2, clean=sigterm_disposition)))
"""


def test_the_cleaning_processes_stop_on_sigterm_even_in_a_worker_that_handles_it():
    # The worker's forked children inherited its handler and ignored the pool's SIGTERM:
    # now and then one waiting for work never stopped, and the import job hung.
    import os
    import subprocess
    import sys

    from django.conf import settings

    done = subprocess.run(
        [sys.executable, "-c", _LIKE_THE_WORKER],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["default"] * 3, done.stderr[-2000:]
