"""Production: base settings read from the environment with DEBUG forced off, so a missing
SECRET_KEY stops the app at start."""

import os

os.environ["DEBUG"] = "0"

from .base import *  # noqa: E402,F403
