from django.apps import AppConfig


class SampledataConfig(AppConfig):
    name = "apps.sampledata"
    label = "sampledata"
    verbose_name = "Demo, generated corpora and benchmarks"
