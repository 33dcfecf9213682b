from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from huying.dashboard import selectors


@login_required
def home(request):
    template = selectors.HOME_TEMPLATES[request.user.role]
    return render(request, template, selectors.home_context(request.user))
