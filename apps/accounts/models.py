from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's own user model, from day one, so it can grow without a migration fight."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
