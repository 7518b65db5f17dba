"""Words for people where the records hold codes."""

from django import template

from cases.audit import RecordType
from cases.models import AccessLog

register = template.Library()

_ACCESS = {
    AccessLog.Action.VIEW: "Viewed the {}",
    AccessLog.Action.PRINT: "Printed the {}",
    AccessLog.Action.EXPORT: "Exported the {}",
    AccessLog.Action.DENIED: "Refused access to the {}",
}


@register.filter
def access_words(log: AccessLog) -> str:
    """An access log row's action and record in words: "Viewed the letter to the referrer"."""
    record = RecordType.LABELS.get(log.record_type, log.record_type.replace("_", " "))
    return _ACCESS.get(log.action, "{}").format(record)
