"""Reads of the registry for the hub's pages, API and exports: resident search, a resident or
dwelling in the user's view, loads.

Search is built for a million residents: each key is one indexed lookup, capped at LIMIT rows,
never a count or a scan (bench/lookup.py measures it: p95 under 50 ms). Equality uses the
db_index indexes; a prefix and the masked ID form use search_lookups (GLOB on SQLite, LIKE and
migration 0003's head+tail expression index on PostgreSQL), which an index answers on both:

| query looks like                    | lookup                                              |
| ----------------------------------- | --------------------------------------------------- |
| 18 (or 15) digits / X: a full ID    | id_number = normalised (roles that may reveal only) |
| 440111********1234: a masked ID     | IdEnds: head and tail of id_number                  |
| 11 digits starting with 1: a phone  | phone =                                             |
| a dwelling code (exists as one)     | dwelling_id =                                       |
| latin letters: pinyin               | Prefix: name_pinyin starts with 'lili'              |
| anything else: a name               | name = q, else Prefix: name starts with q           |

A full ID number reaches this only in a request body (POST): never in a URL, where access logs
and browser history would keep it.
"""

import re
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from huying.core.errors import Forbidden, Invalid
from huying.core.scoping import get_visible_or_404, scope_for
from huying.datahub import privacy
from huying.datahub.models import Dwelling, Load, Resident
from huying.datahub.search_lookups import IdEnds, Prefix

LIMIT = 50
# What a list of results shows (the page's table, the API's ResidentOut): no more is read, so a
# page of fifty is fifty narrow rows, not fifty residents and a hundred whole orgs with their
# JSON. A field added to either must be added here (else one query per row: the API's test
# pins the count).
LIST_COLUMNS = (
    "name", "name_pinyin", "gender", "birth_date", "id_number", "id_number_valid", "phone",
    "dwelling_id", "town__code", "town__name", "village__code", "village__name",
)  # fmt: skip

_FULL_ID = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_MASKED_ID = re.compile(r"^(\d{6})\*{4,8}(\d{3}[\dX])$")
_PHONE = re.compile(r"^1\d{10}$")
_PINYIN = re.compile(r"^[a-z ]+$")


def _area_q(scope) -> Q:
    # A resident belongs to their village; one with no village to their town.
    return scope.q("village") | (Q(village__isnull=True) & scope.q("town"))


def residents_visible_to(user) -> QuerySet[Resident]:
    scope = scope_for(user)
    if user.role not in privacy.HUB_ROLES:
        return Resident.objects.none()
    if scope.whole_district:
        return Resident.objects.all()
    return Resident.objects.filter(_area_q(scope))


def dwellings_visible_to(user) -> QuerySet[Dwelling]:
    scope = scope_for(user)
    if user.role not in privacy.HUB_ROLES:
        return Dwelling.objects.none()
    if scope.whole_district:
        return Dwelling.objects.all()
    return Dwelling.objects.filter(_area_q(scope))


@dataclass
class Found:
    key: str  # which kind of key the query was read as (KEY_LABELS)
    residents: list[Resident]
    more: bool  # LIMIT reached: there may be more, narrow the search


def key_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "id_number": _("身份证号"),
        "masked_id": _("遮蔽的身份证号"),
        "phone": _("电话"),
        "dwelling": _("出租屋编码"),
        "pinyin": _("姓名拼音"),
        "name": _("姓名"),
    }


def normalise(q: str) -> str:
    return re.sub(r"\s+", "", (q or "").strip()).upper().replace("＊", "*")


def search(user, q: str) -> Found:
    """Residents in the user's view matching `q` (see the module's table)."""
    raw = (q or "").strip()
    if not raw:
        raise Invalid("请输入姓名、拼音、身份证号、电话或出租屋编码", field="q")
    if len(raw) > 64:
        raise Invalid("查询内容过长", field="q")
    visible = residents_visible_to(user).select_related("village", "town").only(*LIST_COLUMNS)
    key, matches = _match(user, raw, visible)
    rows = list(matches[: LIMIT + 1])
    if key == "name" and not rows:  # no one of exactly that name: those whose name starts so
        rows = list(visible.filter(Prefix(F("name"), raw)).order_by()[: LIMIT + 1])
    rows.sort(key=lambda r: (r.name, r.pk))
    return Found(key=key, residents=rows[:LIMIT], more=len(rows) > LIMIT)


def _match(user, raw: str, visible: QuerySet) -> tuple[str, QuerySet]:
    norm = normalise(raw)
    if _FULL_ID.match(norm):
        if not privacy.may_reveal(user):
            raise Forbidden("您的角色只能按遮蔽的身份证号（如 440111********1234）查询")
        return "id_number", visible.filter(id_number=norm).order_by("pk")
    if m := _MASKED_ID.match(norm):
        return "masked_id", visible.filter(IdEnds(F("id_number"), m.groups())).order_by()
    if _PHONE.match(norm):
        return "phone", visible.filter(phone=norm).order_by("pk")
    dwelling = Dwelling.objects.filter(code=raw).only("pk").first()
    if dwelling is not None:
        return "dwelling", visible.filter(dwelling_id=dwelling.pk).order_by("pk")
    lowered = raw.lower()
    if _PINYIN.match(lowered):
        pinyin = lowered.replace(" ", "")
        return "pinyin", visible.filter(Prefix(F("name_pinyin"), pinyin)).order_by()
    return "name", visible.filter(name=raw).order_by("pk")


def resident_for(user, pk: int) -> Resident:
    visible = residents_visible_to(user).select_related("town", "village", "dwelling")
    return get_visible_or_404(visible, user, pk=pk)


def dwelling_for(user, pk: int) -> Dwelling:
    visible = dwellings_visible_to(user).select_related("town", "village")
    return get_visible_or_404(visible, user, pk=pk)


def dwelling_by_code(user, code: str) -> Dwelling:
    visible = dwellings_visible_to(user).select_related("town", "village")
    return get_visible_or_404(visible, user, code=code)


def occupants(dwelling: Dwelling) -> list:
    return list(dwelling.occupancies.select_related("resident").order_by("resident__name", "basis"))


def village_residents(user, village) -> QuerySet[Resident]:
    """A village's residents in the user's view (the Excel export)."""
    return residents_visible_to(user).filter(village=village).order_by("name", "pk")


def loads() -> QuerySet[Load]:
    return Load.objects.select_related("created_by").prefetch_related("files")


def load_for(user, pk: int) -> Load:
    if user.role not in privacy.LOAD_ROLES:
        raise Forbidden("只有指挥中心和系统管理员可以管理数据导入")
    return get_visible_or_404(loads(), user, pk=pk)


# --- source records (Parquet, via DuckDB) ------------------------------------------------------

# Per person source: the record's name, address-like column and date, as the page shows them.
_RECORD_SHAPE = {
    "public_security_persons": ("name", "current_address", "updated_at"),
    "migrant_registrations": ("name", "address", "registered_at"),
    "door_access_cards": ("holder_name", "dwelling_code", "issued_at"),
    "inspection": ("name", "dwelling_code", "visited_at"),
}


def records_of(resident: Resident) -> list[dict]:
    """The resident's linked records with their values (ID and phone still unmasked: the
    caller masks them), grouped by source: [{source, source_key, name, id_number, phone,
    place, as_of, load_id, findings, match_probability}]."""
    from huying.datahub import store

    links = list(resident.records.order_by("source", "source_key"))
    by_source: dict[str, list] = {}
    for link in links:
        by_source.setdefault(link.source, []).append(link)
    out = []
    con = store.connect()
    try:
        for source, group in by_source.items():
            shape = _RECORD_SHAPE.get(source)
            view = f"rec_{source}"
            values = {}
            if shape and store.current_relation(con, source, view):
                name, place, as_of = shape
                rows = con.execute(
                    f'SELECT _key, "{name}", _norm_id_number, _norm_phone, "{place}"::VARCHAR, '  # noqa: S608
                    f'"{as_of}"::VARCHAR, _load_id, _findings FROM {view} '
                    "WHERE _key IN (SELECT unnest(?))",
                    [[link.source_key for link in group]],
                ).fetchall()
                values = {r[0]: r for r in rows}
            for link in group:
                row = values.get(link.source_key)
                out.append(
                    {
                        "source": source,
                        "source_label": link.get_source_display(),
                        "source_key": link.source_key,
                        "match_probability": link.match_probability,
                        "name": row[1] if row else "",
                        "id_number": row[2] or "" if row else "",
                        "phone": row[3] or "" if row else "",
                        "place": row[4] or "" if row else "",
                        "as_of": (row[5] or "")[:10] if row else "",
                        "load_id": row[6] if row else None,
                        "findings": _findings(row[7]) if row else [],
                    }
                )
    finally:
        con.close()
    return out


def _findings(text: str | None) -> list[str]:
    import json

    if not text:
        return []
    return [f.get("message", "") for f in json.loads(text) if f.get("message")]
