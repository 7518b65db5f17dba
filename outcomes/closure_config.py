"""The closure destinations a council starts with (code, name), in order; councils edit them in the
admin."""

DESTINATIONS = [
    ("universal", "Universal services only (school, GP, health visitor)"),
    ("single-agency", "Support from a single agency"),
    ("social-care", "Children's social care"),
    ("another-council", "Another council (moved out of the area)"),
    ("another-service", "Another specialist service"),
    ("no-further-support", "No further support needed"),
    ("other", "Other"),
]


def seed_destinations(apps) -> None:
    """The destinations above, where missing (a council's own edits are left alone)."""
    ClosureDestination = apps.get_model("outcomes", "ClosureDestination")
    for order, (code, name) in enumerate(DESTINATIONS):
        ClosureDestination.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
