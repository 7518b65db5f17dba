"""The outcome tool pages' forms: choosing a tool, then scoring each of its areas. They check what
was typed; the rules (every area in the tool's scale, a child of the family, not in the future, who
may, an active case) are `services.reading_record`'s and come back through `add_service_errors`."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from cases.forms import GDSForm, gds_date

from .models import OutcomeTool
from .services import area_field


class ToolChoiceForm(GDSForm):
    submit_label = "Continue"

    def __init__(self, *args, tools: list[OutcomeTool], **kwargs):
        super().__init__(*args, **kwargs)
        self.tools = {tool.code: tool for tool in tools}
        self.fields["tool"] = forms.ChoiceField(
            label="Which tool did you use with the family?",
            choices=[
                Choice(tool.code, tool.name, hint=f"{tool.get_subject_display()}, scored {tool.scale_words}")
                for tool in tools
            ],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the tool you used", "invalid_choice": "Choose the tool you used"},
        )
        self.helper.layout = Layout(Field.radios("tool", legend_size=Size.MEDIUM), Submit("submit", self.submit_label))

    def clean_tool(self) -> OutcomeTool:
        return self.tools[self.cleaned_data["tool"]]


class ReadingForm(GDSForm):
    """Who the reading is about (for a tool about one person), when it was taken, a score for each
    area of the tool (radios in a row, the tool's scale), and a note."""

    submit_label = "Save reading"

    def __init__(self, *args, tool: OutcomeTool, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.tool = tool
        self.areas = list(tool.areas.all())
        self.children = {str(child.pk): child for child in children}
        layout = []
        if tool.about_a_person:
            self.fields["person"] = forms.ChoiceField(
                label=f"Who is the {tool.name} reading about?",
                choices=[(key, child.full_name) for key, child in self.children.items()],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose the child or young person the {tool.name} reading is about",
                    "invalid_choice": f"Choose the child or young person the {tool.name} reading is about",
                },
            )
            layout.append(Field.radios("person", legend_size=Size.MEDIUM))
        self.fields["taken_on"] = gds_date(
            "When was the reading taken?",
            "Enter the date the reading was taken",
            noun="The date the reading was taken",
            help_text="For example, 27 3 2026",
        )
        layout.append(Field("taken_on"))
        scale = [(value, str(value)) for value in range(tool.scale_min, tool.scale_max + 1)]
        for area in self.areas:
            name = area_field(area.pk)
            self.fields[name] = forms.TypedChoiceField(
                label=area.name,
                choices=scale,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select a score for {area.name}",
                    "invalid_choice": f"The score for {area.name} must be from {tool.scale_min} to {tool.scale_max}",
                },
            )
            layout.append(Field.radios(name, inline=True, legend_size=Size.SMALL))
        self.fields["note"] = forms.CharField(
            label="Note (optional)",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            help_text="What the family said about where they are, in their words",
        )
        layout.append(Field.textarea("note"))
        self.helper.layout = Layout(*layout, Submit("submit", self.submit_label))

    def clean_person(self):
        return self.children[self.cleaned_data["person"]]

    def scores(self) -> dict[int, int]:
        data = self.cleaned_data
        return {area.pk: data[area_field(area.pk)] for area in self.areas if data.get(area_field(area.pk)) is not None}
