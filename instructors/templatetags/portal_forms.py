"""A light field renderer for the search and filter bars of the list pages.

crispy's ``as_crispy_field`` renders several nested templates per field: on a list page's filter bar that was a
third of the page's server time (BENCHMARKS.md). This produces the same Bootstrap 5 markup (wrapper, label,
widget with its class, errors) directly; forms that people fill in keep crispy.
"""

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

register = template.Library()


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.filter
def filter_field(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    classes = " ".join(filter(None, [widget.attrs.get("class", ""), _widget_class(widget)]))
    if bound.errors:
        classes += " is-invalid"
    rendered = bound.as_widget(attrs={"class": classes})
    errors = format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in bound.errors))
    label = format_html("<label{}>{}</label>", flatatt({"for": bound.id_for_label, "class": "form-label"}), bound.label)
    return format_html('<div id="div_{}" class="mb-3">{}{}{}</div>', bound.auto_id, label, rendered, errors)
