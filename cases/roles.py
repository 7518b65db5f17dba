"""Roles are Django groups named by these values; a user may hold several.

Who does what, by role, is named here once; the menu, the home page, the pages' declarations and
the API read these sets rather than list roles again. A superuser is an administrator of the
system, not a reader of case records: it gets no role by being one."""

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


# Practitioners work with families: they make referrals for their agency, answer partner
# enquiries and can join a team around the family. Analysts (figures only, never names) and
# administrators (configuration and accounts) are not practitioners by those roles.
PRACTITIONER_ROLES = frozenset(
    {
        Role.REFERRER,
        Role.CONTACT_OFFICER,
        Role.DUTY_MANAGER,
        Role.PANEL_COORDINATOR,
        Role.LEAD_PROFESSIONAL,
        Role.TEAM_MANAGER,
    }
)
# The front door: duty managers decide; contact officers record phone and email contacts.
FRONT_DOOR_ROLES = frozenset({Role.DUTY_MANAGER, Role.CONTACT_OFFICER})
# Who may open the list of cases (each sees only the cases the access rules give them).
CASE_LIST_ROLES = PRACTITIONER_ROLES
