from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts.ratelimit import password_failure, password_success
        from interview_companion.http import request_client_address

        def count_failed_password(sender, credentials, request=None, **kwargs) -> None:
            # Every password form (the dashboard's and the admin's) goes through
            # authenticate(), which sends this signal on failure.
            if request is not None:
                password_failure(
                    request_client_address(request), str(credentials.get("username") or "")
                )

        user_login_failed.connect(
            count_failed_password, dispatch_uid="accounts.count_failed_password", weak=False
        )

        def forget_failed_passwords(sender, request=None, user=None, **kwargs) -> None:
            # Also sent for a Clerk sign-in, which posts no username: nothing to forget.
            username = request.POST.get("username", "") if request is not None else ""
            if username:
                password_success(request_client_address(request), username)

        user_logged_in.connect(
            forget_failed_passwords, dispatch_uid="accounts.forget_failed_passwords", weak=False
        )
