"""The form renderer: every field on every page is drawn by one template, templates/forms/field.html,
so labels, hints and error messages carry the ids Django's aria-describedby points at."""

from django.forms.renderers import TemplatesSetting


class CitaFormRenderer(TemplatesSetting):
    """Django's renderer reading the project's templates, with the project's field template."""

    field_template_name = "forms/field.html"
