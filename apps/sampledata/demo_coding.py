"""The demo's team coding: both analysts were given the two articles they double-coded,
and have marked them done; each has two more to finish (one of them given to both, a
double-coding under way). So their queues, and the owners' progress, show all three
states: done, in progress (the analyst has passages on it) and to do.

Blind coding stays off in the demo, so that every screen shows all the coding at once;
an owner switches it on on the Assignments page (the user guide says how).
"""

from __future__ import annotations

from apps.accounts.models import User
from apps.coding.assigning import assign, mark_done
from apps.corpus.models import Article
from apps.projects.models import Project

# The articles (by their key in fixtures/demo/corpus.json) each analyst has, and which
# of them they have marked done.
DEMO_QUEUES = {
    "analyst": {
        "done": ["rt-2016-06-21", "bbc-2016-09-29"],
        "open": ["rferl-2014-12-10", "bloomberg-2015-12-14"],
    },
    "analyst2": {
        "done": ["rt-2016-06-21", "bbc-2016-09-29"],
        "open": ["businessinsider-2016-09-28", "bloomberg-2015-12-14"],
    },
}


def load_assignments(
    project: Project, articles: dict[str, Article], users: dict[str, User]
) -> None:
    """Idempotent: assigning again adds nothing, and a done mark keeps its first time."""
    for username, queue in DEMO_QUEUES.items():
        coder = users[username]
        keys = queue["done"] + queue["open"]
        assign(
            project=project,
            articles=[articles[key].pk for key in keys],
            coders=[coder],
            by=users["owner"],
        )
        for key in queue["done"]:
            mark_done(article=articles[key], coder=coder)
