"""Cleaning many items on every core, each within a time budget.

Extracting a saved page is CPU-bound, and a pathological file (a page of megabytes of
nested markup) can take minutes. Each item is cleaned in a worker process; one that
overruns its budget is rejected with that reason, its process is killed with the pool,
and a fresh pool carries on with the rest. A signal-based timeout could not do this:
lxml and the regular-expression engine do not return to Python to be interrupted.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections

from apps.corpus.importing import clean_item
from apps.corpus.reading import Item

Pair = tuple[Item, list[str]]


def _clean_pair(pair: Pair) -> Item:
    return clean_item(*pair)


def _default_signals() -> None:
    """Run in each forked child first. The task worker (``db_worker``) handles SIGTERM
    itself, to finish its task before stopping; a child would inherit that handler, and
    ``Pool.terminate`` (which sends SIGTERM) would then never stop it: the job hung."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)


def clean_in_processes(
    pairs: list[Pair],
    *,
    workers: int | None = None,
    budget: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    clean: Callable[[Pair], Item] = _clean_pair,
) -> list[Item]:
    """``clean`` each (item, patterns) pair in ``workers`` processes (``IMPORT_CLEAN_WORKERS``,
    by default every core), in order, each within ``budget`` seconds
    (``IMPORT_CLEAN_SECONDS``). With no workers, in this process and with no budget."""
    budget = settings.IMPORT_CLEAN_SECONDS if budget is None else budget
    workers = settings.IMPORT_CLEAN_WORKERS if workers is None else workers
    done: list[Item] = []
    # Forking a process that runs other threads (an autoreloader, a test browser) can
    # leave the child stuck on a lock another thread held at that moment: such a process
    # cleans in itself, without the budget.
    if workers < 1 or threading.active_count() > 1:
        for pair in pairs:
            done.append(clean(pair))
            if progress:
                progress(len(done), len(pairs))
        return done
    # Forked children must not use the parent's database connections: close those that
    # are idle (one inside a transaction stays; the children never touch it).
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
    while len(done) < len(pairs):
        pool = multiprocessing.get_context("fork").Pool(
            processes=workers, initializer=_default_signals
        )
        stuck = True
        try:
            pending = [pool.apply_async(clean, (pair,)) for pair in pairs[len(done) :]]
            for result in pending:
                item, _ = pairs[len(done)]
                try:
                    done.append(result.get(timeout=budget))
                except multiprocessing.TimeoutError:
                    done.append(_over_budget(item, budget))
                    break  # its process may be stuck: start a fresh pool for the rest
                if progress:
                    progress(len(done), len(pairs))
            else:
                stuck = False
        finally:
            if stuck:  # or interrupted: stop the processes (SIGTERM)
                pool.terminate()
            else:  # all done: let them finish on their own
                pool.close()
            pool.join()
    return done


def _over_budget(item: Item, budget: float) -> Item:
    item.status = "rejected"
    item.error = (
        f"Cleaning this file took longer than {budget:g} s, so it was stopped: "
        "it is probably not an article (or far from a usual one)."
    )
    return item
