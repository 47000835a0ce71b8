"""Admin for interviewer accounts and API tokens (staff only, like all the admin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ApiToken, User
from accounts.revocation import sockets_revoke
from accounts.services import api_token_create, api_token_revoke, user_deactivate

# Clerk owns these for users it syncs: an edit here would be overwritten by the
# next `user.updated`, so the admin shows them read-only.
CLERK_FIELDS = ("clerk_id", "email", "name", "created_at", "clerk_updated_at")


class LocalUserCreationForm(AdminUserCreationForm):
    """A local account (staff, demo): email and password, like `createsuperuser`.
    The model gives it a `local:<uuid>` clerk_id."""

    class Meta:
        model = User
        fields = ("email", "name", "is_staff")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this email already exists."))
        return email


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = LocalUserCreationForm
    list_display = ("email", "name", "clerk_id", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "name", "clerk_id")
    ordering = ("email",)
    filter_horizontal = ("groups", "user_permissions")
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "is_staff",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        # Clerk users sign in through Clerk: no password to show or set.
        identity = (
            ("clerk_id", "email", "name")
            if not obj.is_local
            else ("clerk_id", "email", "name", "password")
        )
        return (
            (None, {"fields": identity}),
            (
                _("Access"),
                {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
            ),
            (_("Preferences"), {"fields": ("time_zone",)}),
            (_("Dates"), {"fields": ("created_at", "clerk_updated_at", "last_login")}),
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Saved by the form already; this closes their open websockets.
            user_deactivate(user=obj)

    def delete_model(self, request, obj) -> None:
        sockets_revoke(user_ids=[obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        sockets_revoke(user_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.is_local:
            return ("clerk_id", "created_at", "clerk_updated_at", "last_login")
        return (*CLERK_FIELDS, "last_login")


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name")

    def clean_user(self) -> User:
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise ValidationError(_("This user is deactivated."))
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "name", "user__email")
    list_select_related = ("user",)
    actions = ("revoke",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Revoking goes through the action, so api_token_revoke stays the one place.
        return ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def delete_model(self, request, obj) -> None:
        sockets_revoke(token_ids=[obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        sockets_revoke(token_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        row, token = api_token_create(user=obj.user, name=obj.name)
        # The admin goes on with `obj` (change log, redirect): make it the new row.
        obj.pk = row.pk
        obj.token_hash, obj.prefix, obj.created_at = row.token_hash, row.prefix, row.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("Copy the new token now; it is stored hashed and will not be shown again: %(token)s")
            % {"token": token},
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)
            count += 1
        self.message_user(
            request,
            ngettext("%d token revoked.", "%d tokens revoked.", count) % count,
            messages.SUCCESS,
        )
