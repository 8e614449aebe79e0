from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "apps.coding"
    label = "coding"
    verbose_name = "Team coding"
