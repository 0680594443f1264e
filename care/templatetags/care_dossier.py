"""{% care_dossier instructor %}: the care section of an instructor's profile, rendered by care so that the registry
(which must not import care) only names the tag in its template."""

from django import template

from care import selectors

register = template.Library()


@register.inclusion_tag("care/_dossier.html", takes_context=True)
def care_dossier(context, instructor) -> dict:
    user = context["request"].user
    data = selectors.dossier(instructor)
    data["show_amounts"] = user.can_manage_registry or instructor.user_id == user.pk
    return data
