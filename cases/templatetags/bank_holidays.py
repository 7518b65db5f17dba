"""The bank holiday calendar's warning, for the admin's home page (cases/bank_holidays.py)."""

from django import template

from cases.bank_holidays import calendar_warning

register = template.Library()


@register.simple_tag
def bank_holiday_calendar_warning() -> str:
    return calendar_warning()
