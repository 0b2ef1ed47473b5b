"""Django's admin for staff, behind a verified second factor (django-otp's OTPAdminSite)."""

from django.contrib.admin.apps import AdminConfig


class OTPAdminConfig(AdminConfig):
    default_site = "django_otp.admin.OTPAdminSite"
