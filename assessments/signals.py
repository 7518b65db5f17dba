"""Signals between the parts of the lead professional's work.

`plan_agreed`: the family agreed their plan for the first time (`plans.plan_agree`). The review
clocks (1, 3 and 6 months from the plan) start on it. Sent inside the agreement's transaction.
Arguments: `sender` (the `Plan` model), `plan` (as saved), `actor`.
"""

import django.dispatch

plan_agreed = django.dispatch.Signal()
