from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AnalysisConfig(AppConfig):
    name = "apps.analysis"
    label = "analysis"

    def ready(self) -> None:
        from apps.analysis.search_index import ensure_sqlite_triggers

        # After any migrate, forwards or back: a table rebuilt on SQLite lost its triggers.
        post_migrate.connect(ensure_sqlite_triggers, sender=self)
