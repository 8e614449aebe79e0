# Each tag gets its own GUID for REFI-QDA exchange: the field's default is evaluated once
# for the rows that exist, so they are given one each before the constraint is added.

import uuid

from django.db import migrations, models


def give_each_tag_a_guid(apps, schema_editor):
    Tag = apps.get_model("annotations", "Tag")
    tags = list(Tag.objects.only("pk"))
    for tag in tags:
        tag.guid = uuid.uuid4()
    Tag.objects.bulk_update(tags, ["guid"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0007_tag_archived"),
        ("projects", "0002_historicalmembership"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltag",
            name="guid",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="tag",
            name="guid",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.RunPython(give_each_tag_a_guid, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(fields=("project", "guid"), name="tag_unique_guid"),
        ),
    ]
