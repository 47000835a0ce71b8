from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts.ratelimit import password_failure
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
