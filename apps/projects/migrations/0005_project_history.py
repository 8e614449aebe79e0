"""A project's history (who switched blind coding on or off), beginning with one
"created" record for every project that existed before it, so that the first recorded
change has something to be compared with."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models




def begin(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    HistoricalProject = apps.get_model("projects", "HistoricalProject")
    HistoricalProject.objects.bulk_create(
        HistoricalProject(
            id=project.pk,
            slug=project.slug,
            name=project.name,
            description=project.description,
            created_at=project.created_at,
            blind_coding=project.blind_coding,
            history_date=project.created_at,
            history_type="+",
            history_change_reason="existed when history began",
        )
        for project in Project.objects.order_by("pk")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0004_team_coding'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalProject',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(max_length=80)),
                ('name', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('blind_coding', models.BooleanField(db_default=False, default=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical project',
                'verbose_name_plural': 'historical projects',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(begin, migrations.RunPython.noop),
    ]
