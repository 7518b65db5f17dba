"""The wording the outcomes framework's versions are seeded with: the descriptors of need and of the
evidence of a good outcome under each of Supporting Families 2022's ten headline outcomes (its areas
are seeded by `cases.configuration.seed_outcome_framework`), and the older Troubled Families 2015
framework's six headline problems, seeded inactive (a council such as Reading still reports to it).

The wording is our own plain-English paraphrase of the published frameworks (Supporting Families
programme guidance 2022 to 2025 and the Troubled Families financial framework, 2015; both Open
Government Licence): a council edits it, or copies a version to make its own, in the admin.
Read by data migrations through `apps`, so it must not import the models."""

from __future__ import annotations

# area code (as cases.configuration.OUTCOME_AREAS) -> (descriptors of need, evidence of a good outcome),
# each a list of (code, text) in order.
Descriptors = dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]]

SUPPORTING_FAMILIES_DESCRIPTORS: Descriptors = {
    "good-education": (
        [
            ("persistent-absence", "Persistent absence: the child misses 10% or more of school sessions"),
            ("severe-absence", "Severe absence: the child misses half or more of school sessions"),
            ("exclusion", "The child has been suspended or excluded from school, or is at risk of it"),
            (
                "not-in-suitable-education",
                "The child is not in suitable full-time education (missing education, on a part-time "
                "timetable or in alternative provision)",
            ),
            ("send-needs-not-met", "The child has special educational needs that are not being met"),
            ("neet-risk", "A young person is not in education, employment or training, or is at risk of it"),
        ],
        [
            ("attendance-above-90", "Attendance above 90% for 3 consecutive school terms"),
            ("no-exclusions", "No suspensions or exclusions for 3 consecutive school terms"),
            ("in-education-or-training", "The young person is in education, employment or training for 6 months"),
        ],
    ),
    "early-years": (
        [
            (
                "development-delay",
                "The child is not reaching expected development, for example in speech, language and communication",
            ),
            ("parenting-support-early-years", "An expectant or new parent needs support to care for their baby"),
            ("early-education-not-taken-up", "The child is not taking up their funded early education place"),
            ("health-checks-missed", "The child's health reviews or immunisations have been missed"),
        ],
        [
            ("milestones-met", "The child meets expected development at their health review, or is catching up"),
            ("early-education-taken-up", "The child attends their funded early education place regularly"),
        ],
    ),
    "health": (
        [
            ("adult-mental-health", "An adult has a mental health need that affects family life"),
            ("child-mental-health", "A child has a mental health or emotional wellbeing need"),
            ("self-harm", "A family member self-harms or has thoughts of suicide"),
            (
                "physical-health",
                "A family member has a physical health condition or disability that is not well managed",
            ),
            (
                "health-needs-unmet",
                "The family's health needs are not met, for example not registered with a GP or dentist",
            ),
        ],
        [
            ("engaged-with-treatment", "Engaged with treatment or support, and reports that things have improved"),
            ("registered-and-attending", "Registered with a GP and dentist, and attending appointments"),
        ],
    ),
    "substance-use": (
        [
            ("adult-substance-use", "An adult's drug or alcohol use causes problems for them or the family"),
            ("young-person-substance-use", "A young person's drug or alcohol use is a concern"),
            ("substance-use-affects-children", "A parent's drug or alcohol use affects the care of the children"),
        ],
        [
            ("treatment-engaged", "Engaged with a drug or alcohol service and keeping to the treatment plan"),
            ("use-reduced", "Drug or alcohol use reduced or stopped, as the treatment service confirms"),
        ],
    ),
    "family-relationships": (
        [
            ("parental-conflict", "Conflict between parents or carers is harming the children"),
            ("parenting-support", "Parents need support with routines, boundaries or the children's behaviour"),
            ("child-to-parent-violence", "A child is violent or abusive towards a parent or carer"),
            ("young-carer", "A young carer's caring role affects their wellbeing or education"),
            ("isolated-family", "The family is isolated, with little support from family, friends or community"),
        ],
        [
            ("relationships-improved", "Parents report less conflict, measured by a recognised tool"),
            ("parenting-programme-completed", "A parenting or relationship programme completed, with progress shown"),
        ],
    ),
    "safe-from-abuse-and-exploitation": (
        [
            ("criminal-exploitation", "A child is at risk of, or experiencing, criminal exploitation"),
            ("sexual-exploitation", "A child is at risk of, or experiencing, sexual exploitation"),
            ("missing-from-home", "A child goes missing from home"),
            ("online-harm", "A child is at risk of harm online"),
            ("neglect", "There are concerns that a child's needs are being neglected"),
            ("radicalisation", "A child or young person is at risk of radicalisation"),
        ],
        [
            ("risk-reduced", "Risk of harm or exploitation reduced, as the agencies involved agree"),
            ("no-missing-episodes", "No missing episodes for 6 months"),
            ("stepped-down", "Support stepped down from children's social care with no re-referral for 6 months"),
        ],
    ),
    "crime": (
        [
            ("child-offending", "A child has committed an offence or is at risk of offending"),
            ("adult-offending", "An adult has committed an offence, or is in prison or on probation"),
            ("anti-social-behaviour", "A family member is involved in anti-social behaviour"),
            ("serious-violence", "A family member is at risk of involvement in serious violence or knife crime"),
        ],
        [
            ("no-offending", "No offending or anti-social behaviour for 6 months"),
            ("order-complied", "Keeping to the terms of a court order or acceptable behaviour contract"),
        ],
    ),
    "domestic-abuse": (
        [
            (
                "victim-of-domestic-abuse",
                "A family member is experiencing, or has recently experienced, domestic abuse",
            ),
            ("perpetrator", "A family member is causing domestic abuse"),
            ("child-affected", "A child is affected by domestic abuse at home or in their own relationships"),
            ("police-callouts", "The police have been called to domestic incidents at the home"),
        ],
        [
            ("no-further-incidents", "No further domestic abuse incidents reported for 6 months"),
            ("feels-safer", "The person harmed has a safety plan and says they feel safer"),
            ("behaviour-change", "The person causing harm has completed a behaviour change programme"),
        ],
    ),
    "housing": (
        [
            ("homeless-or-at-risk", "The family is homeless or at risk of homelessness"),
            ("rent-arrears", "Rent arrears or other tenancy problems put the home at risk"),
            ("unsuitable-housing", "The home is overcrowded, unsafe or in poor condition"),
            ("young-person-housing", "A young person is at risk of homelessness, for example sofa surfing"),
        ],
        [
            ("settled-home", "The family lives in settled, suitable housing for 6 months"),
            ("tenancy-sustained", "The tenancy is kept, with arrears repaid or reducing under a plan"),
        ],
    ),
    "financial-stability": (
        [
            ("out-of-work", "An adult is out of work and would benefit from help towards employment"),
            ("problem-debt", "The family has problem debt"),
            ("cannot-afford-essentials", "The family cannot afford essentials such as food, energy or clothing"),
            ("benefits-not-claimed", "The family is not receiving benefits it is entitled to"),
        ],
        [
            ("into-work", "An adult has moved into work and stayed in it for 26 weeks"),
            ("debt-managed", "Debts are managed under an agreed repayment plan"),
            ("income-maximised", "The family receives the benefits and support it is entitled to"),
        ],
    ),
}

TROUBLED_FAMILIES = ("Troubled Families", "2015")
# (code, name, descriptors of need, evidence of a good outcome)
TROUBLED_FAMILIES_PROBLEMS: list[tuple[str, str, list[tuple[str, str]], list[tuple[str, str]]]] = [
    (
        "crime-and-anti-social-behaviour",
        "Crime and anti-social behaviour",
        [
            ("child-offence", "A child has committed a proven offence in the last 12 months"),
            ("anti-social-behaviour", "An adult or child has been involved in anti-social behaviour"),
            ("prisoner-or-probation", "An adult is in prison and due for release, or is on probation"),
        ],
        [("offending-reduced", "Offending and anti-social behaviour reduced by at least a third over 6 months")],
    ),
    (
        "school-attendance",
        "Children not attending school regularly",
        [
            ("persistent-absence", "A child misses 10% or more of school sessions across 3 consecutive terms"),
            ("exclusions", "A child has been excluded from school, or has had repeated suspensions"),
            ("not-on-roll", "A child is not on a school roll or is in alternative provision for behaviour"),
        ],
        [("attendance-restored", "Unauthorised absence below 10% for 3 consecutive school terms")],
    ),
    (
        "children-who-need-help",
        "Children who need help",
        [
            ("child-in-need", "A child is a child in need or has a child protection plan"),
            ("early-help-needed", "A child has been identified as needing early help"),
            ("under-fives-not-in-early-education", "A child under 5 is not taking up their early education place"),
        ],
        [("help-no-longer-needed", "The child's needs are met and the case is stepped down")],
    ),
    (
        "worklessness-and-financial-exclusion",
        "Worklessness and financial exclusion",
        [
            ("out-of-work-benefits", "An adult receives out-of-work benefits"),
            ("financial-exclusion", "The family is at risk of financial exclusion, such as problem debt"),
            ("young-person-neet", "A young person is not in education, employment or training"),
        ],
        [("continuous-employment", "An adult has moved off out-of-work benefits into continuous employment")],
    ),
    (
        "domestic-violence-and-abuse",
        "Domestic violence and abuse",
        [
            ("domestic-incident", "A domestic incident involving the family has been reported in the last 12 months"),
            ("high-risk-victim", "A family member is a high-risk victim of domestic abuse"),
            ("perpetrator", "A family member is a perpetrator of domestic abuse"),
        ],
        [("no-further-abuse", "No further domestic abuse incidents for 6 months")],
    ),
    (
        "health-problems",
        "Health problems",
        [
            ("mental-health", "A family member has a mental health problem"),
            ("substance-misuse", "A family member misuses drugs or alcohol"),
            ("unhealthy-behaviours", "A family member's health needs are not being met"),
        ],
        [("engaged-with-health-services", "Engaged with the health services they need, and improving")],
    ),
]


def _add_descriptors(OutcomeDescriptor, area, needs: list[tuple[str, str]], evidence: list[tuple[str, str]]) -> None:
    OutcomeDescriptor.objects.bulk_create(
        [
            OutcomeDescriptor(area=area, kind="need", code=code, text=text, position=n)
            for n, (code, text) in enumerate(needs, 1)
        ]
        + [
            OutcomeDescriptor(area=area, kind="evidence", code=code, text=text, position=n)
            for n, (code, text) in enumerate(evidence, 1)
        ]
    )


def seed_supporting_families_descriptors(apps) -> None:
    """Supporting Families 2022's descriptors, into each of its areas that has none yet (matched by
    area code), so running it again adds nothing and a council's own wording stays."""
    from .configuration import OUTCOME_FRAMEWORK

    OutcomeArea = apps.get_model("cases", "OutcomeArea")
    OutcomeDescriptor = apps.get_model("cases", "OutcomeDescriptor")
    name, version = OUTCOME_FRAMEWORK
    areas = OutcomeArea.objects.filter(
        framework__name=name, framework__version=version, code__in=SUPPORTING_FAMILIES_DESCRIPTORS
    ).filter(descriptors__isnull=True)
    for area in areas:
        _add_descriptors(OutcomeDescriptor, area, *SUPPORTING_FAMILIES_DESCRIPTORS[area.code])


def seed_troubled_families(apps) -> None:
    """The Troubled Families 2015 version, inactive, with its six headline problems and their
    descriptors: made only where no framework of that name and version exists."""
    OutcomeFramework = apps.get_model("cases", "OutcomeFramework")
    OutcomeArea = apps.get_model("cases", "OutcomeArea")
    OutcomeDescriptor = apps.get_model("cases", "OutcomeDescriptor")
    name, version = TROUBLED_FAMILIES
    if OutcomeFramework.objects.filter(name=name, version=version).exists():
        return
    framework = OutcomeFramework.objects.create(name=name, version=version, active=False)
    for position, (code, area_name, needs, evidence) in enumerate(TROUBLED_FAMILIES_PROBLEMS, 1):
        area = OutcomeArea.objects.create(framework=framework, code=code, name=area_name, position=position)
        _add_descriptors(OutcomeDescriptor, area, needs, evidence)
