# A stance in two parts: the outlet's voice (its own, or reporting someone) and the
# position toward the claim. The mapping of the former values, without loss:
#   asserts                      -> own voice, supports
#   reports                      -> reporting someone, supports
#   disputes, with a speaker     -> reporting someone, disputes
#   disputes, without a speaker  -> own voice, disputes
# (the reader showed a "disputes" passage without a speaker as the outlet's own voice).
# History records are mapped the same way. Going back maps (own, supports) to asserts,
# (reported, supports) to reports, any disputes to disputes, and the rest to none: it is
# lossy for what one part could not say (neutral positions; reported · disputes without
# a speaker, which forwards again as own voice · disputes).

from django.conf import settings
from django.db import migrations, models

FORWARD = [
    ({"stance": "asserts"}, {"voice": "own", "position": "supports"}),
    ({"stance": "reports"}, {"voice": "reported", "position": "supports"}),
    (
        {"stance": "disputes", "speaker__isnull": False},
        {"voice": "reported", "position": "disputes"},
    ),
    ({"stance": "disputes", "speaker__isnull": True}, {"voice": "own", "position": "disputes"}),
]
BACKWARD = [
    ({"voice": "own", "position": "supports"}, {"stance": "asserts"}),
    ({"voice": "reported", "position": "supports"}, {"stance": "reports"}),
    ({"position": "disputes"}, {"stance": "disputes"}),
]


def _apply(apps, steps):
    for name in ("Annotation", "HistoricalAnnotation"):
        model = apps.get_model("annotations", name)
        for condition, values in steps:
            model.objects.filter(**condition).update(**values)


def forward(apps, schema_editor):
    _apply(apps, FORWARD)


def backward(apps, schema_editor):
    _apply(apps, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_actor_claim_archived"),
        ("corpus", "0006_historicalarticle_historicalstory"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="position",
            field=models.CharField(
                blank=True,
                choices=[
                    ("supports", "Supports"),
                    ("disputes", "Disputes"),
                    ("neutral", "Neutral or unclear"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="annotation",
            name="voice",
            field=models.CharField(
                blank=True,
                choices=[("own", "The outlet's own voice"), ("reported", "Reporting someone")],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="historicalannotation",
            name="position",
            field=models.CharField(
                blank=True,
                choices=[
                    ("supports", "Supports"),
                    ("disputes", "Disputes"),
                    ("neutral", "Neutral or unclear"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="historicalannotation",
            name="voice",
            field=models.CharField(
                blank=True,
                choices=[("own", "The outlet's own voice"), ("reported", "Reporting someone")],
                max_length=10,
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(
            model_name="annotation",
            name="annotation_stance_needs_claim",
        ),
        migrations.RemoveConstraint(
            model_name="annotation",
            name="annotation_stance_valid",
        ),
        migrations.RemoveField(
            model_name="annotation",
            name="stance",
        ),
        migrations.RemoveField(
            model_name="historicalannotation",
            name="stance",
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("position", ""), ("voice", "")),
                    ("claim__isnull", False),
                    _connector="OR",
                ),
                name="annotation_stance_needs_claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(("voice__in", ["", "own", "reported"])),
                name="annotation_voice_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(("position__in", ["", "supports", "disputes", "neutral"])),
                name="annotation_position_valid",
            ),
        ),
    ]
