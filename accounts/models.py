"""Interviewer accounts, synced from Clerk (seed table `users`)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def local_clerk_id() -> str:
    """Users made here (createsuperuser, seed_demo) are not in Clerk: mark them so."""
    return f"local:{uuid.uuid4()}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # Email is the login name and unique case-insensitively.
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email is required.")
        extra.setdefault("clerk_id", local_clerk_id())
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    clerk_id = models.CharField(max_length=256, unique=True, default=local_clerk_id)
    # Unique as typed AND case-insensitively (the Lower constraint below); the plain
    # uniqueness lets Django's auth (createsuperuser, the admin) see the rule.
    email = models.CharField(_("email"), max_length=256, unique=True)
    name = models.CharField(_("name"), max_length=256, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    # Added: what Django auth and the admin need, and Clerk sync bookkeeping. Each
    # has a database default so the seed's `INSERT INTO users (clerk_id, email,
    # name)` still works (Clerk users never sign in with a password).
    password = models.CharField(_("password"), max_length=128, db_default="")
    is_superuser = models.BooleanField(_("superuser status"), default=False, db_default=False)
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    is_staff = models.BooleanField(_("staff"), default=False, db_default=False)
    # Clerk's `updated_at` (ms since epoch) of the data we hold: an older event
    # never overwrites newer data.
    clerk_updated_at = models.BigIntegerField(null=True, blank=True, editable=False)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", db_default=""
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_local(self) -> bool:
        return self.clerk_id.startswith("local:")

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]


class ApiToken(models.Model):
    """A machine client's credential: `ic_` + 40 url-safe characters, stored hashed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    # SHA-256 of the whole token: tokens are 240 bits of randomness, so a fast hash
    # is enough and lets us look the row up by hash.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "api_tokens"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ProcessedWebhook(models.Model):
    """Svix message ids already handled: Clerk retries, we process each once."""

    svix_id = models.CharField(max_length=100, primary_key=True)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "processed_webhooks"

    def __str__(self) -> str:
        return f"{self.svix_id} ({self.event_type})"


class ClerkTombstone(models.Model):
    """A Clerk user deleted at `deleted_at`: a late `user.updated` must not revive it."""

    clerk_id = models.CharField(max_length=256, primary_key=True)
    deleted_at = models.BigIntegerField(help_text="Clerk event timestamp, ms since epoch")

    class Meta:
        db_table = "clerk_tombstones"

    def __str__(self) -> str:
        return self.clerk_id
