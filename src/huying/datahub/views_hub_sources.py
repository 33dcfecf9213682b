"""数据源概况 (/datahub/sources/<source>/): one source's counts, its column profile and a
search over its current records (htmx: the results come back as a fragment).

For the hub roles that see the whole district (profiles.SOURCE_ROLES); others get 404, as
does a source the hub does not know. The search is a POST: the query may be a full ID
number, which must not end up in a URL or an access log.
"""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from huying.core.errors import BusinessError
from huying.core.permissions import require_roles
from huying.datahub import privacy, profiles
from huying.datahub import profiles_search as search
from huying.datahub.choices import Source
from huying.datahub.models import AccessVia


class SearchForm(forms.Form):
    q = forms.CharField(max_length=search.MAX_QUERY, required=False)


@require_GET
@require_roles(*profiles.SOURCE_ROLES)
def source_detail(request, source: str):
    fmt = profiles.source_for(request.user, source)
    return render(request, "datahub/sources/detail.html", _context(request, fmt))


@require_http_methods(["POST"])
@require_roles(*profiles.SOURCE_ROLES)
def source_search(request, source: str):
    fmt = profiles.source_for(request.user, source)
    form = SearchForm(request.POST)
    q = form.cleaned_data["q"] if form.is_valid() else request.POST.get("q", "")
    results = {"q": q, "headers": _headers(fmt)}
    try:
        found = search.search(request.user, fmt, q)
    except BusinessError as exc:
        results["error"] = exc.message
    else:
        search.log_search(request.user, fmt, found, via=AccessVia.PAGE)
        results |= {"found": found, "key_label": search.key_labels()[found.key]}
    if request.htmx:
        return render(request, "datahub/sources/_results.html", results)
    return render(request, "datahub/sources/detail.html", _context(request, fmt) | results)


def _context(request, fmt) -> dict:
    return {
        "fmt": fmt,
        "profile": profiles.profile(fmt),
        "may_reveal": privacy.may_reveal(request.user),
        "may_load": request.user.role in privacy.LOAD_ROLES,
        "sources": Source.choices,
        "headers": _headers(fmt),
    }


def _headers(fmt) -> list[str]:
    names = profiles.labels(fmt)
    return [names[n] for n in fmt.names]
