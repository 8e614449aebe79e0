"""A batch's prepared items move from one JSON list on the batch to a row each."""

import django.db.models.deletion
from django.db import migrations, models


def items_to_rows(apps, schema_editor):
    ImportBatch = apps.get_model("corpus", "ImportBatch")
    ImportItem = apps.get_model("corpus", "ImportItem")
    for pk, items in ImportBatch.objects.values_list("pk", "prepared").iterator():
        ImportItem.objects.bulk_create(
            (
                ImportItem(batch_id=pk, number=n, status=item.get("status", ""), data=item)
                for n, item in enumerate(items or [])
            ),
            batch_size=500,
        )


def rows_to_items(apps, schema_editor):
    ImportBatch = apps.get_model("corpus", "ImportBatch")
    ImportItem = apps.get_model("corpus", "ImportItem")
    for batch in ImportBatch.objects.all():
        batch.prepared = list(
            ImportItem.objects.filter(batch=batch).order_by("number").values_list("data", flat=True)
        )
        batch.save(update_fields=["prepared"])


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0004_import_jobs"),
    ]

    operations = [
        # Renamed first: the rows' reverse accessor takes the name "items".
        migrations.RenameField(model_name="importbatch", old_name="items", new_name="prepared"),
        migrations.CreateModel(
            name="ImportItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(help_text="Its place in the batch, from 0.")),
                ("status", models.CharField(blank=True, max_length=10)),
                ("data", models.JSONField()),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="corpus.importbatch",
                    ),
                ),
            ],
            options={
                "ordering": ["number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "number"), name="importitem_unique_number"
                    )
                ],
            },
        ),
        migrations.RunPython(items_to_rows, rows_to_items),
        migrations.RemoveField(model_name="importbatch", name="prepared"),
    ]
