from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.sampledata.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo corpus (five seed articles, codebook, annotations). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Load the corpus only: no demo users and so no example annotations.",
        )

    def handle(self, *args, no_users: bool, **options):
        with_users = not no_users
        if with_users and not settings.DEMO_MODE:
            raise CommandError(
                "Demo users are for development only: set DEMO_MODE=true (with DEBUG=true), "
                "or pass --no-users."
            )
        result = load_demo(with_users=with_users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo project “{result.project.name}”: {result.created_articles} articles and "
                f"{result.created_annotations} annotations added."
            )
        )
        if result.users:
            self.stdout.write(
                "Demo logins (password “{}”): {}".format(DEMO_PASSWORD, ", ".join(result.users))
            )
