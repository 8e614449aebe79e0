"""Migration 0010 turns each former one-part stance into its two parts, without loss,
on the annotations and their history, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("annotations", "0009_actor_claim_archived")]
AFTER = [("annotations", "0010_stance_in_two_parts")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_former_stances_become_voice_and_position_and_back():
    apps = _migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    Project = apps.get_model("projects", "Project")
    Source = apps.get_model("corpus", "Source")
    Article = apps.get_model("corpus", "Article")
    Actor = apps.get_model("annotations", "Actor")
    Claim = apps.get_model("annotations", "Claim")
    Annotation = apps.get_model("annotations", "Annotation")
    History = apps.get_model("annotations", "HistoricalAnnotation")
    user = User.objects.create(username="coder")
    project = Project.objects.create(name="P", slug="p")
    article = Article.objects.create(
        project=project,
        source=Source.objects.create(name="Outlet"),
        title="T",
        text="one two three four five",
        content_hash="h",
    )
    claim = Claim.objects.create(project=project, text="A claim")
    lavrov = Actor.objects.create(project=project, name="Lavrov")
    cases = [
        ("asserts", None, ("own", "supports")),
        ("reports", lavrov, ("reported", "supports")),
        ("disputes", lavrov, ("reported", "disputes")),
        ("disputes", None, ("own", "disputes")),
        ("", None, ("", "")),
    ]
    ids = []
    for n, (stance, speaker, _) in enumerate(cases):
        annotation = Annotation.objects.create(
            article=article,
            annotator=user,
            start=n,
            end=n + 1,
            quote="x",
            claim=claim if stance else None,
            speaker=speaker,
            stance=stance,
        )
        History.objects.create(
            id=annotation.pk,
            article_id=article.pk,
            annotator_id=user.pk,
            start=n,
            end=n + 1,
            quote="x",
            speaker_id=speaker.pk if speaker else None,
            claim_id=claim.pk if stance else None,
            stance=stance,
            version=1,
            anchor_status="anchored",
            created_at=annotation.created_at,
            updated_at=annotation.updated_at,
            history_date=annotation.created_at,
            history_type="+",
        )
        ids.append(annotation.pk)

    apps = _migrate(AFTER)
    Annotation = apps.get_model("annotations", "Annotation")
    History = apps.get_model("annotations", "HistoricalAnnotation")
    for pk, (_, _, parts) in zip(ids, cases, strict=True):
        assert Annotation.objects.values_list("voice", "position").get(pk=pk) == parts
        assert History.objects.values_list("voice", "position").get(id=pk) == parts

    apps = _migrate(BEFORE)
    Annotation = apps.get_model("annotations", "Annotation")
    back = dict(Annotation.objects.values_list("pk", "stance"))
    assert [back[pk] for pk in ids] == [stance for stance, _, _ in cases]
    _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
