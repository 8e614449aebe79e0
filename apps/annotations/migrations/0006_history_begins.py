"""History begins: one "created" record for every object that existed before it, so the
first recorded change has something to be compared with (and no annotation seems to
lose its tags). Annotations are recorded as made by their analyst, at their creation."""

from django.db import migrations
from django.utils import timezone

REASON = "existed when history began"
TRACKED = [
    ("annotations", "Annotation"),
    ("annotations", "Tag"),
    ("annotations", "Actor"),
    ("annotations", "Claim"),
    ("corpus", "Story"),
    ("corpus", "Article"),
    ("projects", "Membership"),
]


def begin(apps, schema_editor):
    now = timezone.now()
    AnnotationTag = apps.get_model("annotations", "AnnotationTag")
    for app_label, name in TRACKED:
        model = apps.get_model(app_label, name)
        history = apps.get_model(app_label, f"Historical{name}")
        if history.objects.exists():
            continue
        copied = [
            f.attname
            for f in history._meta.concrete_fields
            if not f.name.startswith("history_") and f.name != "tag_list"
        ]
        rows = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for first in range(0, len(rows), 2000):
            chunk = list(model.objects.filter(pk__in=rows[first : first + 2000]).order_by("pk"))
            tags: dict[int, list] = {}
            if name == "Annotation":  # their tags, one query for the chunk
                links = AnnotationTag.objects.filter(annotation_id__in=[a.pk for a in chunk])
                for annotation_id, tag_id, tag_name in links.order_by("tag__name").values_list(
                    "annotation_id", "tag_id", "tag__name"
                ):
                    tags.setdefault(annotation_id, []).append([tag_id, tag_name])
            batch = []
            for row in chunk:
                record = history(
                    **{attname: getattr(row, attname) for attname in copied},
                    history_date=getattr(row, "created_at", None) or now,
                    history_type="+",
                    history_change_reason=REASON,
                )
                if name == "Annotation":
                    record.history_user_id = row.annotator_id
                    record.tag_list = tags.get(row.pk, [])
                batch.append(record)
            history.objects.bulk_create(batch)

class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0005_historicalactor_historicalannotation_historicalclaim_and_more"),
        ("corpus", "0006_historicalarticle_historicalstory"),
        ("projects", "0002_historicalmembership"),
    ]

    operations = [migrations.RunPython(begin, migrations.RunPython.noop)]
