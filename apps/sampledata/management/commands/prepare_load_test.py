from django.core.management.base import BaseCommand

from apps.accounts.models import User
from apps.projects.models import Membership, Role
from apps.sampledata.synthetic import generate_corpus

PASSWORD = "load-test-password"


class Command(BaseCommand):
    help = "Create (once) the project and the analyst accounts the load test logs in as."

    def add_arguments(self, parser):
        parser.add_argument("--project", default="load-test")
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--articles", type=int, default=2_000)
        parser.add_argument("--annotations", type=int, default=40_000)

    def handle(self, *args, project, users, articles, annotations, **options):
        corpus = generate_corpus(
            project_slug=project, articles=articles, sources=30, annotations=annotations, seed=9
        )
        for n in range(users):
            user, created = User.objects.get_or_create(username=f"load-analyst-{n:02d}")
            if created or not user.check_password(PASSWORD):
                user.set_password(PASSWORD)
                user.save()
            Membership.objects.get_or_create(
                project=corpus.project, user=user, defaults={"role": Role.ANALYST}
            )
        # An owner, for the steps that need one (importing files).
        owner, created = User.objects.get_or_create(username="load-owner")
        if created or not owner.check_password(PASSWORD):
            owner.set_password(PASSWORD)
            owner.save()
        Membership.objects.get_or_create(
            project=corpus.project, user=owner, defaults={"role": Role.OWNER}
        )
        self.stdout.write(
            f"Project “{project}”: {corpus.articles} articles, {corpus.annotations} annotations; "
            f"{users} analysts load-analyst-00… and an owner load-owner (password {PASSWORD})."
        )
