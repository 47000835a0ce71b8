from __future__ import annotations

from django.urls import path

from accounts import views, webhooks

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/clerk/", views.clerk_signin, name="clerk_signin"),
    path("webhooks/clerk/", webhooks.clerk_webhook, name="clerk_webhook"),
]
