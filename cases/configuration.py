"""The configuration a council starts from (seeded by migration 0002, editable in the admin)."""

import datetime

ROLES = [
    "referrer",
    "contact_officer",
    "duty_manager",
    "panel_coordinator",
    "lead_professional",
    "team_manager",
    "analyst",
    "administrator",
]

# Buckinghamshire's threshold model (seed 002). Slough's 2a/2b/3 can be added alongside in the admin.
LEVELS = [
    ("level-1", "Level 1: Universal", "Needs met by universal services", False, False),
    ("level-2", "Level 2: Additional support", "Additional needs met by a single agency", False, False),
    ("level-3", "Level 3: Complex needs", "Multi-agency support with a lead professional", True, False),
    ("level-4", "Level 4: Acute", "Child protection or child in need: children's social care", True, True),
]

# (code, name, opens a case, goes to the panel, the decisions it fits) from seed 000. "No further
# action" is a decision of its own, not a place early help or other support is given: its destination
# fits no decision, and is kept for the decisions recorded with it before.
EARLY_HELP = ("early_help",)
DESTINATIONS = [
    ("targeted-family-support", "Targeted family support", True, False, EARLY_HELP),
    ("targeted-youth-support", "Targeted youth support", True, False, EARLY_HELP),
    ("childrens-centre", "Children's centre", True, False, EARLY_HELP),
    ("other-early-help", "Another early help service", True, False, EARLY_HELP),
    ("early-help-panel", "Early Help Panel (level 3 complex needs)", True, True, EARLY_HELP),
    ("universal-advice", "Universal services with advice and signposting", False, False, EARLY_HELP),
    ("specialist-service", "Another specialist service", False, False, EARLY_HELP),
    ("no-further-action", "No further action", False, False, ()),
]

CLOSURE_REASONS = [
    ("outcomes-met", "Outcomes met"),
    ("stepped-down", "Stepped down to universal or single-agency support"),
    ("stepped-up", "Stepped up to children's social care"),
    ("consent-withdrawn", "Family withdrew consent or declined"),
    ("disengaged", "Family disengaged"),
    ("moved-away", "Moved out of the area"),
    ("reached-18", "Child reached 18"),
    ("transferred", "Transferred to another service"),
    ("died", "Died"),
    # Closed by the front door itself when the decision that opened the case is amended to one that
    # opens none, before anyone started work on it (migration 0009 adds it to existing databases).
    ("opened-in-error", "Opened in error: the front door decision was amended"),
    ("other", "Other"),
]

OPENED_IN_ERROR = "opened-in-error"

AGENCY_TYPES = [
    ("school", "School or college"),
    ("early-years", "Early years setting"),
    ("health", "Health"),
    ("police", "Police"),
    ("housing", "Housing"),
    ("voluntary", "Voluntary and community sector"),
    ("council-early-help", "Council early help"),
    ("childrens-social-care", "Children's social care"),
    ("other", "Other"),
]

# (code, name, amount, unit, reminder hours before due)
TIMESCALES = [
    ("front-door-decision", "Front door decision", 24, "hours", 4),
    ("referrer-letter", "Outcome letter to the referrer", 72, "hours", 24),
    ("mash-information", "Partner information for a MASH enquiry", 1, "working_days", 4),
    ("front-door-to-offer", "Front door to an offer of support", 10, "days", 48),
    ("lead-professional", "Lead professional assigned", 1, "weeks", 48),
    ("partner-information", "Partner information for the panel", 5, "working_days", 24),
    ("assessment", "Early help assessment completed", 1, "months", 72),
    ("review-1", "First review", 1, "months", 72),
    ("review-2", "Second review", 3, "months", 72),
    ("review-3", "Third review", 6, "months", 72),
    # Due on the date the team set at its last meeting (`due_at`); the 6 weeks are only the fallback
    # when a clock is started without one.
    ("next-taf", "Next Team Around the Family meeting", 6, "weeks", 72),
    # Each review after the third, every 3 months from the one before.
    ("review-next", "Next review", 3, "months", 72),
    # Six months after a case closed, its lead agency is asked whether each outcome lasted (outcomes).
    ("sustained-check", "Outcomes sustained six months after closure", 6, "months", 168),
]

# The outcomes framework new needs are tagged with: Supporting Families (from October 2022), its ten
# headline outcomes as (code, name) in order. Descriptors of need under each are the outcomes app's.
OUTCOME_FRAMEWORK = ("Supporting Families", "2022")
OUTCOME_AREAS = [
    ("good-education", "Getting a good education"),
    ("early-years", "Good early years development"),
    ("health", "Improved mental and physical health"),
    ("substance-use", "Better managed substance use"),
    ("family-relationships", "Improved family relationships"),
    ("safe-from-abuse-and-exploitation", "Children safe from abuse and exploitation"),
    ("crime", "Families diverted from crime"),
    ("domestic-abuse", "Safe from domestic abuse"),
    ("housing", "Secure housing"),
    ("financial-stability", "Financial stability"),
]

# England and Wales.
BANK_HOLIDAYS = [
    ("2025-01-01", "New Year's Day"),
    ("2025-04-18", "Good Friday"),
    ("2025-04-21", "Easter Monday"),
    ("2025-05-05", "Early May bank holiday"),
    ("2025-05-26", "Spring bank holiday"),
    ("2025-08-25", "Summer bank holiday"),
    ("2025-12-25", "Christmas Day"),
    ("2025-12-26", "Boxing Day"),
    ("2026-01-01", "New Year's Day"),
    ("2026-04-03", "Good Friday"),
    ("2026-04-06", "Easter Monday"),
    ("2026-05-04", "Early May bank holiday"),
    ("2026-05-25", "Spring bank holiday"),
    ("2026-08-31", "Summer bank holiday"),
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (substitute day)"),
    ("2027-01-01", "New Year's Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
    ("2027-05-03", "Early May bank holiday"),
    ("2027-05-31", "Spring bank holiday"),
    ("2027-08-30", "Summer bank holiday"),
    ("2027-12-27", "Christmas Day (substitute day)"),
    ("2027-12-28", "Boxing Day (substitute day)"),
]


def seed_configuration(apps) -> None:
    """Create what is missing; safe to run again. `apps` is the migration registry or django.apps.apps."""
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    LevelOfNeed = apps.get_model("cases", "LevelOfNeed")
    for order, (code, name, description, multi, statutory) in enumerate(LEVELS):
        LevelOfNeed.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "sort_order": order,
                "multi_agency": multi,
                "statutory": statutory,
            },
        )
    Destination = apps.get_model("cases", "Destination")
    # Migration 0002 seeds before the destinations had outcomes (0013 adds them).
    has_outcomes = any(field.name == "outcomes" for field in Destination._meta.get_fields())
    for order, (code, name, opens_case, panel, outcomes) in enumerate(DESTINATIONS):
        defaults = {"name": name, "sort_order": order, "opens_case": opens_case, "goes_to_panel": panel}
        if has_outcomes:
            defaults["outcomes"] = list(outcomes)
        Destination.objects.update_or_create(code=code, defaults=defaults)
    ClosureReason = apps.get_model("cases", "ClosureReason")
    for order, (code, name) in enumerate(CLOSURE_REASONS):
        ClosureReason.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    AgencyType = apps.get_model("cases", "AgencyType")
    for order, (code, name) in enumerate(AGENCY_TYPES):
        AgencyType.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    Timescale = apps.get_model("cases", "Timescale")
    for code, name, amount, unit, reminder in TIMESCALES:
        Timescale.objects.update_or_create(
            code=code, defaults={"name": name, "amount": amount, "unit": unit, "reminder_before_hours": reminder}
        )
    BankHoliday = apps.get_model("cases", "BankHoliday")
    for day, name in BANK_HOLIDAYS:
        BankHoliday.objects.update_or_create(date=datetime.date.fromisoformat(day), defaults={"name": name})
    # Migration 0002 seeds before the outcomes framework exists (0021 seeds it).
    try:
        apps.get_model("cases", "OutcomeFramework")
    except LookupError:
        return
    seed_outcome_framework(apps)


def seed_outcome_framework(apps) -> None:
    """The Supporting Families 2022 framework and its ten areas, active unless another version is:
    made only where no framework of that name and version exists, so a council's edits stay."""
    OutcomeFramework = apps.get_model("cases", "OutcomeFramework")
    OutcomeArea = apps.get_model("cases", "OutcomeArea")
    name, version = OUTCOME_FRAMEWORK
    if OutcomeFramework.objects.filter(name=name, version=version).exists():
        return
    framework = OutcomeFramework.objects.create(
        name=name, version=version, active=not OutcomeFramework.objects.filter(active=True).exists()
    )
    OutcomeArea.objects.bulk_create(
        OutcomeArea(framework=framework, code=code, name=area, position=position)
        for position, (code, area) in enumerate(OUTCOME_AREAS, start=1)
    )
