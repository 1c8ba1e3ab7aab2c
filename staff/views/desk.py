"""Help-desk tickets and notices, shared by NGO staff and operators."""

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared.idempotency import new_key, payload_hash, sent_key
from shared.pages import error_list, post_items
from shared.personal import no_store
from staff import helpdesk
from staff.access import StaffRequest, operator_required, staff_required
from staff.forms import NoticeForm, ReplyForm, TicketForm, typed
from staff.models import HelpTicket, Notice


def _resend(request: StaffRequest) -> tuple[str, str]:
    """The submit's resend key and what was sent, for helpdesk's run-once functions."""
    return sent_key(request.POST), payload_hash(post_items(request))


def _tickets_for(request: StaffRequest) -> QuerySet[HelpTicket]:
    if request.staff.is_operator:
        return HelpTicket.objects.all()
    return HelpTicket.objects.filter(organisation=request.staff.organisation)


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def tickets(request: StaffRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, initial={"language": "es", "idempotency_key": new_key()})
    if request.method == "POST":
        if request.staff.organisation is None:
            raise Http404
        if form.is_valid():
            return redirect(
                helpdesk.open_ticket(request.user, request.staff.organisation, typed(form), *_resend(request))
            )
    context = {
        "tickets": _tickets_for(request).select_related("organisation"),
        "form": form,
        "errors": error_list(form),
    }
    return render(request, "staff/tickets.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def ticket(request: StaffRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(_tickets_for(request), pk=pk)
    form = ReplyForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        body, by_operator = form.cleaned_data["body"], request.staff.is_operator
        return redirect(helpdesk.reply_to_ticket(request.user, ticket, body, by_operator, *_resend(request)))
    context = {"ticket": ticket, "form": form, "errors": error_list(form)}
    return render(request, "staff/ticket.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@no_store
@operator_required
def notice_new(request: StaffRequest) -> HttpResponse:
    form = NoticeForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        return redirect(helpdesk.publish_notice(request.user, typed(form), *_resend(request)))
    return render(
        request,
        "staff/notice_form.html",
        {"form": form, "errors": error_list(form)},
        status=400 if form.errors else 200,
    )


@require_GET
@no_store
@staff_required
def notice(request: StaffRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    form = ReplyForm(initial={"idempotency_key": new_key()})
    return render(request, "staff/notice.html", {"notice": notice, "form": form, "errors": []})


@require_POST
@staff_required
def notice_comment(request: StaffRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        return redirect(helpdesk.comment_on_notice(request.user, notice, form.cleaned_data["body"], *_resend(request)))
    return render(
        request, "staff/notice.html", {"notice": notice, "form": form, "errors": error_list(form)}, status=400
    )
