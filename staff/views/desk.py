"""Help-desk tickets and notices, shared by NGO staff and operators."""

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registrations.views.common import error_list
from staff.access import StaffRequest, operator_required, staff_required
from staff.forms import NoticeForm, ReplyForm, TicketForm
from staff.models import HelpTicket, Notice, NoticeComment, TicketReply


def _tickets_for(request: StaffRequest) -> QuerySet[HelpTicket]:
    if request.staff.is_operator:
        return HelpTicket.objects.all()
    return HelpTicket.objects.filter(organisation=request.staff.organisation)


@require_http_methods(["GET", "POST"])
@never_cache
@staff_required
def tickets(request: StaffRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, initial={"language": "es"})
    if request.method == "POST":
        if request.staff.organisation is None:
            raise Http404
        if form.is_valid():
            ticket = HelpTicket.objects.create(
                organisation=request.staff.organisation, author=request.user, **form.cleaned_data
            )
            return redirect("staff_ticket", pk=ticket.pk)
    context = {
        "tickets": _tickets_for(request).select_related("organisation"),
        "form": form,
        "errors": error_list(form),
    }
    return render(request, "staff/tickets.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@never_cache
@staff_required
def ticket(request: StaffRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(_tickets_for(request), pk=pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        TicketReply.objects.create(ticket=ticket, author=request.user, body=form.cleaned_data["body"])
        status = HelpTicket.Status.ANSWERED if request.staff.is_operator else HelpTicket.Status.OPEN
        HelpTicket.objects.filter(pk=ticket.pk).update(status=status)
        return redirect("staff_ticket", pk=ticket.pk)
    context = {"ticket": ticket, "form": form, "errors": error_list(form)}
    return render(request, "staff/ticket.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@never_cache
@operator_required
def notice_new(request: StaffRequest) -> HttpResponse:
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        Notice.objects.create(author=request.user, **form.cleaned_data)
        return redirect("staff_home")
    return render(
        request,
        "staff/notice_form.html",
        {"form": form, "errors": error_list(form)},
        status=400 if form.errors else 200,
    )


@require_GET
@never_cache
@staff_required
def notice(request: StaffRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    return render(request, "staff/notice.html", {"notice": notice, "form": ReplyForm(), "errors": []})


@require_POST
@staff_required
def notice_comment(request: StaffRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        NoticeComment.objects.create(notice=notice, author=request.user, body=form.cleaned_data["body"])
        return redirect("staff_notice", pk=notice.pk)
    return render(
        request, "staff/notice.html", {"notice": notice, "form": form, "errors": error_list(form)}, status=400
    )
