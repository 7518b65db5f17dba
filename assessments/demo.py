"""The lead professional's demo data (steps of `cases.demo`), made only through the services. Each
part of the work keeps its steps in its own module, imported here so `load_demo_data` finds them."""

from . import (
    demo_assessment,  # noqa: F401
    demo_consent_network,  # noqa: F401
    demo_plan,  # noqa: F401
    demo_readings,  # noqa: F401
    demo_step,  # noqa: F401
    demo_taf_reviews,  # noqa: F401
)
