"""The outcome tools every council starts with, seeded by migration 0003 and editable in the admin.

Scores only: the tools are licensed products, so nothing of their wording (descriptions of each
point of the scale, questions, guidance) is kept here, only each tool's scale and the short names of
its areas. Family Star Plus and the Graded Care Profile 2 areas are those of ../shared/DOMAIN.md.
My Star's eight areas are as the publisher describes them publicly; Teen Star's six are neutral
names chosen here (see assessments/README.md): a council licensed for it renames them in the admin.
"""

from __future__ import annotations

# code, name, subject, scale_min, scale_max, higher_is_better, areas (code, name)
TOOLS = [
    (
        "family-star-plus",
        "Family Star Plus",
        "family",
        1,
        10,
        True,
        [
            ("physical-health", "Physical health"),
            ("well-being", "Your well-being"),
            ("emotional-needs", "Meeting emotional needs"),
            ("keeping-safe", "Keeping your children safe"),
            ("social-networks", "Social networks"),
            ("education-learning", "Education and learning"),
            ("boundaries-behaviour", "Boundaries and behaviour"),
            ("family-routine", "Family routine"),
            ("home-money", "Home and money"),
            ("progress-to-work", "Progress to work"),
        ],
    ),
    (
        "my-star",
        "My Star",
        "child",
        1,
        5,
        True,
        [
            ("physical-health", "Physical health"),
            ("where-you-live", "Where you live"),
            ("being-safe", "Being safe"),
            ("relationships", "Relationships"),
            ("feelings-behaviour", "Feelings and behaviour"),
            ("friends", "Friends"),
            ("confidence", "Confidence and self-esteem"),
            ("education-learning", "Education and learning"),
        ],
    ),
    (
        "teen-star",
        "Teen Star",
        "young_person",
        1,
        5,
        True,
        [
            ("health", "Health and well-being"),
            ("home", "Home and living"),
            ("safety", "Staying safe"),
            ("relationships", "Family and relationships"),
            ("education-work", "Education, training and work"),
            ("feelings", "Feelings and confidence"),
        ],
    ),
    (
        "graded-care-profile-2",
        "Graded Care Profile 2",
        "family",
        1,
        5,
        False,
        [
            ("physical-care", "Physical care"),
            ("care-of-safety", "Care of safety"),
            ("emotional-care", "Emotional care"),
            ("developmental-care", "Developmental care"),
        ],
    ),
]


def seed_outcome_tools(apps) -> None:
    """Create the tools and areas that are missing; safe to run again, and never changes a tool a
    council has edited. `apps` is the migration registry or django.apps.apps."""
    OutcomeTool = apps.get_model("assessments", "OutcomeTool")
    ToolArea = apps.get_model("assessments", "ToolArea")
    for order, (code, name, subject, lowest, highest, higher_better, areas) in enumerate(TOOLS):
        tool, created = OutcomeTool.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "subject": subject,
                "scale_min": lowest,
                "scale_max": highest,
                "higher_is_better": higher_better,
                "sort_order": order * 10,
            },
        )
        if created:
            ToolArea.objects.bulk_create(
                ToolArea(tool=tool, code=area_code, name=area_name, sort_order=position * 10)
                for position, (area_code, area_name) in enumerate(areas)
            )
