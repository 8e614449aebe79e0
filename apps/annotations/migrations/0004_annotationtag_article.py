import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_annotation_original_quote"),
        ("corpus", "0003_source_boilerplate_importbatch"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotationtag",
            name="article",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="corpus.article",
            ),
        ),
        # Existing links take their annotation's article.
        migrations.RunSQL(
            "UPDATE annotations_annotationtag SET article_id = (SELECT article_id FROM "
            "annotations_annotation WHERE annotations_annotation.id = "
            "annotations_annotationtag.annotation_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="annotationtag",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="corpus.article",
            ),
        ),
    ]
