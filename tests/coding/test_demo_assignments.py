"""The demo's team coding: both analysts have the two articles they double-coded, done,
and two more each; the owner's progress and their queues show all three states; blind
coding is off; loading again changes nothing."""

from collections import Counter

from apps.accounts.models import User
from apps.coding.models import Assignment
from apps.coding.progress import progress, queue
from apps.sampledata.demo import load_demo


def _statuses(username, project) -> Counter:
    return Counter(
        item.status.value for item in queue(User.objects.get(username=username), project)
    )


def test_the_analysts_queues(db, demo_project):
    assert _statuses("analyst", demo_project) == {"done": 2, "started": 2}
    assert _statuses("analyst2", demo_project) == {"done": 2, "todo": 2}
    done = {
        (a.article_id, a.coder.username)
        for a in Assignment.objects.filter(done_at__isnull=False).select_related("coder")
    }
    both = {article for article, _ in done}  # the two double-coded ones, done by both
    assert len(both) == 2 and done == {(a, c) for a in both for c in ("analyst", "analyst2")}
    assert not demo_project.blind_coding


def test_the_owners_progress(db, demo_project):
    found = progress(demo_project)
    assert (found.overall.done, found.overall.started, found.overall.todo) == (4, 2, 2)
    by_coder = {c.member.user.username: c.tally.total for c in found.coders}
    assert by_coder == {"analyst": 4, "analyst2": 4, "owner": 0}
    assert found.unassigned == 0


def test_loading_again_changes_nothing(db, demo_project):
    before = sorted(Assignment.objects.values_list("article_id", "coder_id", "done_at"))
    load_demo(with_users=True)
    assert sorted(Assignment.objects.values_list("article_id", "coder_id", "done_at")) == before
