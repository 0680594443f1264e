"""{% instructor_record instructor %}: the profile's links to an instructor's courses, lectures, ratings and review
history, rendered by evaluations (which may read courses and outreach) so that the registry, which must not import
them, only names the tag in its template."""

from django import template

from evaluations.results import selectors

register = template.Library()


@register.inclusion_tag("evaluations/_instructor_record.html", takes_context=True)
def instructor_record(context, instructor) -> dict:
    return selectors.instructor_record(instructor=instructor, user=context["request"].user)
