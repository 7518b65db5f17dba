"""Dates and times as GOV.UK writes them ("2 March 2026", "3:17pm"), for every value a template
shows without a format of its own (Django's en_GB formats say "3:17 p.m."). The "a" says "pm"
through the project's en_GB words in locale/."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "g:ia"
DATETIME_FORMAT = "j F Y, g:ia"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, g:ia"
