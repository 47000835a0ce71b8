"""`manage.py create_api_token <email> [--name NAME]`: a token for a machine client.

Prints the token and nothing else, so scripts can capture it:
`TOKEN=$(python manage.py create_api_token relay@example.com --name deepgram-relay)`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User
from accounts.services import api_token_create

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class Command(BaseCommand):
    help = "Create an API token for a user and print it (only a hash is stored)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The user the token acts as.")
        parser.add_argument("--name", default="", help="What the token is for, shown in the admin.")

    def handle(self, *args, email: str, name: str, **options) -> None:
        if len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"--name is longer than {NAME_MAX_LENGTH} characters.")
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        if not user.is_active:
            raise CommandError(f"User {user.email} is deactivated; no token made.")
        _row, token = api_token_create(user=user, name=name)
        self.stdout.write(token)
