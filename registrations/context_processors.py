from django.http import HttpRequest


def applicant(request: HttpRequest) -> dict:
    return {"applicant": getattr(request, "applicant", None)}
