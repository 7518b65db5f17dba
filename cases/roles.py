"""Roles are Django groups named by these values; a user may hold several."""

from django.db import models


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    CONTACT_OFFICER = "contact_officer", "Contact officer"
    DUTY_MANAGER = "duty_manager", "Duty manager"
    PANEL_COORDINATOR = "panel_coordinator", "Panel coordinator"
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
    TEAM_MANAGER = "team_manager", "Team manager"
    ANALYST = "analyst", "Performance analyst"
    ADMINISTRATOR = "administrator", "Administrator"
