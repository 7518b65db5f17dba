"""The outcomes app's questions on the shared record's closure pages (`cases.extensions.MoveQuestions`):
with the closure request, each need's outcome and its evidence, where the family goes next and the
family's feedback; with the sign-off, whether progress was significant and sustained (beside what
the lead professional recorded); with a return, nothing more (the request is kept, returned)."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.template.loader import render_to_string

from cases.extensions import MoveQuestions
from cases.forms import GDSForm
from cases.models import Case, IdentifiedNeed, User

from . import services
from .models import Achieved, Closure, ClosureDestination, ClosureStatus, FeedbackAnswer

PREFIX = "outcomes"
YES_NO = [("yes", "Yes"), ("no", "No")]


def _need_label(need: IdentifiedNeed) -> str:
    who = need.person.full_name if need.person_id else "The whole family"
    return f"{need.area.name}, {who}: {need.description}"


class ClosureRequestQuestions(GDSForm):
    """Each need's outcome and its evidence, the destination and the family's feedback."""

    prefix = PREFIX

    def __init__(self, data=None, files=None, *, case: Case, needs: list[IdentifiedNeed], readings: list):
        super().__init__(data, files)
        self.needs = needs
        reading_choices = [("", "No reading")] + [
            (str(reading.pk), f"{reading.tool.name}, {reading.taken_on:%-d %B %Y}") for reading in readings
        ]
        self.readings = {str(reading.pk): reading for reading in readings}
        layout = []
        for number, need in enumerate(needs, start=1):
            key = f"need_{need.pk}"
            self.fields[f"{key}_achieved"] = forms.ChoiceField(
                label="Was the outcome achieved?",
                choices=Achieved.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Say whether the outcome of need {number} was achieved",
                    "invalid_choice": f"Say whether the outcome of need {number} was achieved",
                },
            )
            self.fields[f"{key}_evidence"] = forms.CharField(
                label="The evidence",
                help_text="What shows it: attendance, a letter, what the family and the team saw",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=5000,
            )
            self.fields[f"{key}_reading"] = forms.ChoiceField(
                label="An outcome tool reading that shows it (optional)", choices=reading_choices, required=False
            )
            self.fields[f"{key}_file"] = forms.FileField(
                label="A document that shows it (optional)",
                help_text="A PDF, JPG or PNG, smaller than 10MB",
                required=False,
            )
            layout.append(
                Fieldset(
                    Field.radios(f"{key}_achieved", legend_size=Size.SMALL, inline=True),
                    Field.textarea(f"{key}_evidence"),
                    Field(f"{key}_reading"),
                    Field(f"{key}_file"),
                    legend=f"Need {number}: {_need_label(need)}",
                    legend_size=Size.MEDIUM,
                    legend_tag="h2",
                )
            )
        self.fields["destination"] = forms.ModelChoiceField(
            label="Where does the family go next?",
            queryset=ClosureDestination.objects.active(),
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose where the family goes next",
                "invalid_choice": "Choose where the family goes next",
            },
        )
        for name, label, missing in (
            (
                "feedback_timely",
                "Did the family say support was timely and helpful?",
                "Say whether the family said support was timely and helpful",
            ),
            (
                "feedback_knew_lead",
                "Did they know who their lead professional was?",
                "Say whether the family knew who their lead professional was",
            ),
            (
                "feedback_told_once",
                "Did they only have to tell their story once?",
                "Say whether the family only had to tell their story once",
            ),
        ):
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=FeedbackAnswer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": missing, "invalid_choice": missing},
            )
        self.fields["feedback_words"] = forms.CharField(
            label="The family's feedback in their words (optional)",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            max_length=5000,
        )
        if needs:
            layout.insert(
                0,
                HTML(
                    '<h2 class="govuk-heading-m">The outcome of each need</h2>'
                    '<p class="govuk-body">For each need the family and the team identified, say whether '
                    "its outcome was achieved and what shows it: a note, an outcome tool reading or a "
                    "document.</p>"
                ),
            )
        layout += [
            Field.radios("destination", legend_size=Size.MEDIUM),
            Fieldset(
                Field.radios("feedback_timely", legend_size=Size.SMALL, inline=True),
                Field.radios("feedback_knew_lead", legend_size=Size.SMALL, inline=True),
                Field.radios("feedback_told_once", legend_size=Size.SMALL, inline=True),
                Field.textarea("feedback_words"),
                legend="The family's feedback",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
        ]
        self.helper.layout = Layout(*layout)

    def clean(self):
        data = super().clean()
        for number, need in enumerate(self.needs, start=1):
            key = f"need_{need.pk}"
            upload = data.get(f"{key}_file")
            if upload and (problem := services.consent_evidence_error(upload)):
                self.add_error(f"{key}_file", problem)
            if data.get(f"{key}_reading") and data[f"{key}_reading"] not in self.readings:
                self.add_error(f"{key}_reading", "Choose a reading of this family")
            if f"{key}_achieved" in data and not (
                (data.get(f"{key}_evidence") or "").strip() or data.get(f"{key}_reading") or upload
            ):
                self.add_error(
                    f"{key}_evidence", f"Give the evidence for need {number}: a note, a reading or a document"
                )
        return data

    def answers(self) -> list[services.NeedAnswer]:
        data = self.cleaned_data
        return [
            services.NeedAnswer(
                need=need,
                achieved=data[f"need_{need.pk}_achieved"],
                evidence_note=data.get(f"need_{need.pk}_evidence") or "",
                evidence_reading=self.readings.get(data.get(f"need_{need.pk}_reading") or ""),
                evidence_file=data.get(f"need_{need.pk}_file"),
            )
            for need in self.needs
        ]


class SignOffQuestions(GDSForm):
    """The manager's judgement. What the lead professional recorded is `read_first`: the move's page
    shows it above every question (the manager's note too), so it is read before anything is asked."""

    prefix = PREFIX

    def __init__(self, data=None, files=None, *, closure: Closure | None):
        super().__init__(data, files)
        self.fields["significant_and_sustained"] = forms.ChoiceField(
            label="Was the family's progress significant and sustained?",
            choices=[Choice("yes", "Yes"), Choice("no", "No")],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Say whether the family's progress was significant and sustained",
                "invalid_choice": "Say whether the family's progress was significant and sustained",
            },
        )
        self.read_first = render_to_string("outcomes/closure/recorded.html", {"closure": closure})
        self.helper.layout = Layout(Field.radios("significant_and_sustained", legend_size=Size.MEDIUM, inline=True))


class ReturnQuestions(GDSForm):
    """Nothing to ask: what the lead professional recorded, `read_first`, above the manager's note."""

    prefix = PREFIX

    def __init__(self, data=None, files=None, *, closure: Closure):
        super().__init__(data, files)
        self.read_first = render_to_string("outcomes/closure/recorded.html", {"closure": closure})
        self.helper.layout = Layout()


def _requested_closure(case: Case) -> Closure | None:
    return (
        Closure.objects.filter(case_id=case.pk, status=ClosureStatus.REQUESTED)
        .select_related("destination", "requested_by")
        .prefetch_related(
            "need_outcomes__need__area", "need_outcomes__need__person", "need_outcomes__evidence_reading__tool"
        )
        .first()
    )


def _form(case: Case, data, files, action: str):
    if action == "request_closure":
        from assessments.models import Reading

        readings = list(Reading.objects.filter(case_id=case.pk).select_related("tool").order_by("-taken_on", "-id"))
        return ClosureRequestQuestions(data, files, case=case, needs=services.closure_needs(case), readings=readings)
    closure = _requested_closure(case)
    if action == "sign_off_closure":
        return SignOffQuestions(data, files, closure=closure)
    return ReturnQuestions(data, files, closure=closure) if closure else None


def _save(form, case: Case, actor: User, action: str, move: dict) -> None:
    if action == "request_closure":
        data = form.cleaned_data
        services.closure_request_record(
            actor=actor,
            case=case,
            destination=data["destination"],
            feedback_timely=data["feedback_timely"],
            feedback_knew_lead=data["feedback_knew_lead"],
            feedback_told_once=data["feedback_told_once"],
            feedback_words=data.get("feedback_words") or "",
            answers=form.answers(),
        )
    elif action == "sign_off_closure":
        services.closure_sign_off(
            actor=actor,
            case=case,
            significant_and_sustained=form.cleaned_data["significant_and_sustained"] == "yes",
            note=move.get("note") or "",
        )
    elif action == "return_closure":
        services.closure_return(actor=actor, case=case, note=move.get("note") or "")


QUESTIONS = MoveQuestions(
    key="closure-outcomes",
    actions=frozenset({"request_closure", "sign_off_closure", "return_closure"}),
    form=_form,
    save=_save,
)
