"""Upload of a recording and section marks for 授课分析."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.analysis.services import parse_sections

SECTIONS_HELP = _("Optional. One line per section: the time it starts, then its title, e.g. “12:30 第二部分”.")


class SectionsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value):
        return parse_sections(super().clean(value))


class AnalysisUploadForm(forms.Form):
    recording = forms.FileField(
        label=_("Recording"),
        help_text=_("MP3, M4A or WAV audio, or an MP4 video of the lecture."),
        widget=forms.ClearableFileInput(attrs={"accept": ".mp3,.m4a,.wav,.mp4,audio/*,video/mp4"}),
    )
    sections = SectionsField(label=_("Section starts"), required=False, help_text=SECTIONS_HELP)


class SectionsForm(forms.Form):
    sections = SectionsField(label=_("Section starts"), required=False, help_text=SECTIONS_HELP)
