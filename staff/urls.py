from django.urls import path

from staff.views import desk, login, members, ngo, numbers, operator, security

urlpatterns = [
    path("login", login.StaffLoginView.as_view(), name="staff_login"),
    path("logout", login.staff_logout, name="staff_logout"),
    path("", ngo.home, name="staff_home"),
    path("households/new", ngo.household_new, name="staff_household_new"),
    path("households/<str:reference>", ngo.household, name="staff_household"),
    path("households/<str:reference>/slip", ngo.slip, name="staff_slip"),
    path("households/<str:reference>/members/new", members.member_add, name="staff_member_add"),
    path("households/<str:reference>/sign-in", numbers.signin_move, name="staff_signin_move"),
    path("households/<str:reference>/members/<int:pk>", members.member_change, name="staff_member_change"),
    path("households/<str:reference>/members/<int:pk>/remove", members.member_remove, name="staff_member_remove"),
    path("households/<str:reference>/vulnerability", ngo.vulnerability_new, name="staff_vulnerability_new"),
    path("tickets", desk.tickets, name="staff_tickets"),
    path("tickets/<int:pk>", desk.ticket, name="staff_ticket"),
    path("notices/new", desk.notice_new, name="staff_notice_new"),
    path("notices/<int:pk>", desk.notice, name="staff_notice"),
    path("notices/<int:pk>/comment", desk.notice_comment, name="staff_notice_comment"),
    path("review/vulnerability", operator.vulnerability_queue, name="staff_vulnerability_queue"),
    path("review/vulnerability/<int:pk>", operator.vulnerability_decide, name="staff_vulnerability_decide"),
    path("review/reuse", operator.reuse_queue, name="staff_reuse_queue"),
    path("members/<int:pk>/move", operator.member_move, name="staff_member_move"),
    path("audit", operator.audit_log, name="staff_audit_log"),
    path("security", security.security, name="staff_security"),
    path("security/unlock/<int:pk>", security.unlock, name="staff_unlock"),
]
