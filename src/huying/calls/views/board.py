"""The command-centre board (指挥大屏): live counts, the overdue list, the arbitration queue and
the free-form calls to route; shown on a wall screen, it refreshes itself every 10 s."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from huying.calls import board_selectors
from huying.calls.views.polling import refresh_when_signed_out
from huying.core import clock
from huying.core.permissions import require_roles
from huying.orgs.choices import Role

BOARD_ROLES = (Role.OPERATOR, Role.LEADER, Role.ADMIN)


@require_GET
@refresh_when_signed_out
@require_roles(*BOARD_ROLES)
def board(request):
    context = {"board": board_selectors.board(request.user, clock.now())}
    template = "calls/board/_board.html" if request.htmx else "calls/board/board.html"
    return render(request, template, context)
