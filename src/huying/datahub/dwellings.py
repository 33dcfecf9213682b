# ruff: noqa: S608  (SQL built from model table names and our own constants; values are bound)
"""The registry's dwellings and who lives in them today.

`refresh_dwellings` upserts a Dwelling for every current record of the rental-housing system
(only those whose record or place changed since the last refresh are written), then rebuilds
Occupancy for today from two kinds of evidence, each of a resident linkage has linked:

- a door-access card valid today (not yet expired, or no expiry) → basis door_card;
- a migrant registration with status 有效 that expires later than now → basis registration.

Then each dwelling's `occupants` (distinct residents) and each placed resident's dwelling,
town and village (a registration first, else a card). The heavy joins run in DuckDB and in
set-based SQL on the database, diffed against what is there, so a repeat writes nothing.
"""

from dataclasses import dataclass, field

import pyarrow as pa
from django.db import connection, transaction

from huying.datahub import registry_io as rio
from huying.datahub.choices import OccupancyBasis, Source
from huying.datahub.formats import REGISTRATION_STATUSES
from huying.datahub.models import Dwelling, Occupancy, Resident
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org

VALID_STATUS = REGISTRATION_STATUSES[0]  # 有效
_LOCK_KEY = 0x48554457  # "HUDW": one dwellings refresh at a time
_UPSERTED = (
    "code", "address", "town_id", "village_id", "owner_name", "owner_id_number", "owner_phone",
    "rooms", "max_occupants", "lat", "lon", "load_id",
)  # fmt: skip


@dataclass
class DwellingRefresh:
    dwellings: int = 0  # current dwelling records
    written: int = 0  # new or changed dwellings written
    unknown_towns: list[str] = field(default_factory=list)
    unknown_villages: list[str] = field(default_factory=list)
    occupancies: int = 0
    occupancies_added: int = 0
    occupancies_removed: int = 0
    residents_placed: int = 0  # residents whose dwelling, town or village changed
    residents_unplaced: int = 0  # residents no longer living in any known dwelling

    def as_dict(self) -> dict:
        return {
            **self.__dict__,
            "unknown_towns": len(self.unknown_towns),
            "unknown_villages": len(self.unknown_villages),
        }


def refresh_dwellings(run_or_load=None, *, snapshot: rio.Snapshot | None = None) -> DwellingRefresh:
    """Dwellings from the current records, then today's occupancy. `run_or_load` (a
    LinkageRun or a Load, optional) shows the step on its page while it runs."""
    if run_or_load is not None:
        type(run_or_load).objects.filter(pk=run_or_load.pk).update(stage="更新出租屋与居住关系")
    snap = snapshot or rio.Snapshot.open()
    result = DwellingRefresh()
    try:
        with transaction.atomic():
            rio.serialise(_LOCK_KEY)
            if snap.has(Source.DWELLINGS):
                _upsert_dwellings(snap, result)
            snap.pull_dwellings()
            _rebuild_occupancy(snap, result)
            _count_occupants(snap)
            _place_residents(snap, result)
    finally:
        if snapshot is None:
            snap.close()
    return result


# --- dwellings ------------------------------------------------------------------------------


def _register_orgs(con) -> None:
    """`hub_towns(name, id)` and `hub_villages(name, town_id, id)` under the district's tree,
    so the extract's place names resolve in one join. A town is known by its full name
    (云城街道) or its short one (云城); a village by its name within its town, or, with the
    town missing or unknown, by a name that is unique in the district."""
    district = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("path").first()
    orgs = Org.objects.filter(path__startswith=district.path) if district else Org.objects.none()
    towns = list(orgs.filter(kind__in=(OrgKind.TOWN, OrgKind.STREET)).values_list(
        "id", "name", "short_name"))  # fmt: skip
    by_name = {name: pk for pk, name, _short in towns}
    for pk, _name, short in towns:
        if short:
            by_name.setdefault(short, pk)
    villages = list(orgs.filter(kind__in=(OrgKind.VILLAGE, OrgKind.COMMUNITY)).values_list(
        "id", "name", "parent_id"))  # fmt: skip
    con.register("hub_towns", pa.table({"name": list(by_name), "id": list(by_name.values())}))
    con.register(
        "hub_villages",
        pa.table({
            "name": [n for _pk, n, _t in villages],
            "town_id": [t for _pk, _n, t in villages],
            "id": [pk for pk, _n, _t in villages],
        }),
    )  # fmt: skip


def _upsert_dwellings(snap: rio.Snapshot, result: DwellingRefresh) -> None:
    con = snap.con
    _register_orgs(con)
    rio.pull(
        con,
        "hub_dwellings_before",
        f"SELECT id, code, load_id, town_id, village_id FROM {Dwelling._meta.db_table}",
        [("code", "VARCHAR"), ("load_id", "BIGINT"), ("town_id", "BIGINT"),
         ("village_id", "BIGINT")],
    )  # fmt: skip
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hub_dwellings_new AS
        WITH src AS (
            SELECT *, nullif(trim(town), '') AS town_name, nullif(trim(village), '') AS vname
            FROM cur_dwellings
        ),
        unique_villages AS (
            SELECT name, any_value(town_id) AS town_id, any_value(id) AS id
            FROM hub_villages GROUP BY name HAVING count(*) = 1
        ),
        placed AS (
            SELECT s.*, t.id AS by_town,
                   coalesce(v.id, CASE WHEN t.id IS NULL THEN u.id END) AS village_id,
                   coalesce(t.id, CASE WHEN v.id IS NULL THEN u.town_id END) AS town_id
            FROM src s
            LEFT JOIN hub_towns t ON t.name = s.town_name
            LEFT JOIN hub_villages v ON v.name = s.vname AND v.town_id = t.id
            LEFT JOIN unique_villages u ON u.name = s.vname
        )
        SELECT dwelling_code AS code, left(address, 200) AS address, town_id, village_id,
               town_name, vname, left(coalesce(owner_name, ''), 50) AS owner_name,
               left(coalesce(_norm_owner_id_number, ''), 18) AS owner_id_number,
               left(coalesce(_norm_owner_phone, ''), 20) AS owner_phone,
               CASE WHEN rooms >= 0 THEN rooms END AS rooms,
               CASE WHEN max_occupants >= 0 THEN max_occupants END AS max_occupants,
               lat, lon, _load_id AS load_id
        FROM placed
        WHERE length(dwelling_code) <= 64 -- the registry's code column; longer is not a code
        """
    )
    result.dwellings = con.execute("SELECT count(*) FROM hub_dwellings_new").fetchone()[0]
    result.unknown_towns = [n for (n,) in con.execute(
        "SELECT DISTINCT town_name FROM hub_dwellings_new "
        "WHERE town_name IS NOT NULL AND town_id IS NULL ORDER BY 1").fetchall()]  # fmt: skip
    result.unknown_villages = [n for (n,) in con.execute(
        "SELECT DISTINCT vname FROM hub_dwellings_new "
        "WHERE vname IS NOT NULL AND village_id IS NULL ORDER BY 1").fetchall()]  # fmt: skip
    # Only what changed: a newer record (its load) or a place that now resolves differently.
    rio.push(
        con,
        """
        SELECT n.code, n.address, n.town_id, n.village_id, n.owner_name, n.owner_id_number,
               n.owner_phone, n.rooms, n.max_occupants, n.lat, n.lon, n.load_id
        FROM hub_dwellings_new n LEFT JOIN hub_dwellings_before b ON b.code = n.code
        WHERE b.code IS NULL OR b.load_id IS DISTINCT FROM n.load_id
           OR b.town_id IS DISTINCT FROM n.town_id OR b.village_id IS DISTINCT FROM n.village_id
        ORDER BY n.code
        """,
        "hub_dw",
        [("code", "varchar(64)"), ("address", "varchar(200)"), ("town_id", "bigint"),
         ("village_id", "bigint"), ("owner_name", "varchar(50)"),
         ("owner_id_number", "varchar(18)"), ("owner_phone", "varchar(20)"),
         ("rooms", "bigint"), ("max_occupants", "bigint"), ("lat", "double precision"),
         ("lon", "double precision"), ("load_id", "bigint")],
    )  # fmt: skip
    # One upsert on the code (bulk_create(update_conflicts=True) says the same, but builds
    # every row in Python: minutes at 400k dwellings); `WHERE true` lets SQLite parse it.
    table = Dwelling._meta.db_table
    updated = ", ".join(f"{c} = excluded.{c}" for c in _UPSERTED[1:])
    result.written = rio.execute(
        f"INSERT INTO {table} ({', '.join(_UPSERTED)}, occupants, updated_at) "
        f"SELECT {', '.join(_UPSERTED)}, 0, %s FROM hub_dw WHERE true "
        f"ON CONFLICT (code) DO UPDATE SET {updated}, updated_at = excluded.updated_at",
        [_db_now(snap)],
    )
    rio.drop("hub_dw")
    con.unregister("hub_towns")
    con.unregister("hub_villages")


def _db_now(snap: rio.Snapshot):
    return connection.ops.adapt_datetimefield_value(snap.now)


# --- occupancy ------------------------------------------------------------------------------


def _occupancy_sql(snap: rio.Snapshot) -> str:
    """Today's (dwelling, resident, basis, record, valid until), in DuckDB, in the database's
    value forms, ready to push."""
    now = f"'{snap.now.isoformat()}'::TIMESTAMPTZ"
    parts = []
    if snap.has(Source.DOOR_ACCESS_CARDS):
        parts.append(
            f"SELECT dwelling_code, '{Source.DOOR_ACCESS_CARDS.value}' AS source, card_id AS key, "
            f"'{OccupancyBasis.DOOR_CARD.value}' AS basis, expires_at FROM cur_door_access_cards "
            f"WHERE (expires_at IS NULL OR expires_at > {now}) "
            f"AND (issued_at IS NULL OR issued_at <= {now})"
        )
    if snap.has(Source.MIGRANT_REGISTRATIONS):
        parts.append(
            f"SELECT dwelling_code, '{Source.MIGRANT_REGISTRATIONS.value}', registration_no, "
            f"'{OccupancyBasis.REGISTRATION.value}', expires_at FROM cur_migrant_registrations "
            f"WHERE status = '{VALID_STATUS}' AND expires_at > {now}"
        )
    if not parts:
        return (
            "SELECT NULL::BIGINT, NULL::BIGINT, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR "
            "WHERE false"
        )
    return (
        f"SELECT d.id, l.resident_id, e.basis, e.key, "
        f"CASE WHEN e.expires_at IS NOT NULL THEN {rio.db_time_sql('e.expires_at')} END "
        f"FROM ({' UNION ALL '.join(parts)}) e "
        "JOIN hub_dwellings d ON d.code = e.dwelling_code "
        "JOIN hub_links l ON l.source = e.source AND l.source_key = e.key "
        "ORDER BY 1, 2"
    )


def _rebuild_occupancy(snap: rio.Snapshot, result: DwellingRefresh) -> None:
    table = Occupancy._meta.db_table
    time_type = "timestamp with time zone" if rio.is_postgres() else "text"
    result.occupancies = rio.push(
        snap.con,
        _occupancy_sql(snap),
        "hub_occ",
        [("dwelling_id", "bigint"), ("resident_id", "bigint"), ("basis", "varchar(16)"),
         ("source_key", "varchar(100)"), ("valid_until", time_type)],
    )  # fmt: skip
    rio.execute("CREATE INDEX hub_occ_key ON hub_occ (dwelling_id, resident_id, basis, source_key)")
    same = (
        "t.dwelling_id = {o}.dwelling_id AND t.resident_id = {o}.resident_id "
        "AND t.basis = {o}.basis AND t.source_key = {o}.source_key"
    )
    result.occupancies_removed = rio.execute(
        f"DELETE FROM {table} WHERE NOT EXISTS "
        f"(SELECT 1 FROM hub_occ t WHERE {same.format(o=table)})"
    )
    rio.execute(
        f"UPDATE {table} SET valid_until = t.valid_until FROM hub_occ t "
        f"WHERE {same.format(o=table)} AND {table}.valid_until IS DISTINCT FROM t.valid_until"
    )
    result.occupancies_added = rio.execute(
        f"INSERT INTO {table} (dwelling_id, resident_id, basis, source_key, valid_until) "
        f"SELECT t.dwelling_id, t.resident_id, t.basis, t.source_key, t.valid_until "
        f"FROM hub_occ t WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE {same.format(o='o')})"
    )
    rio.drop("hub_occ")


def _count_occupants(snap: rio.Snapshot) -> None:
    dwelling, occupancy = Dwelling._meta.db_table, Occupancy._meta.db_table
    rio.execute(
        f"UPDATE {dwelling} SET occupants = c.n, updated_at = %s FROM "
        f"(SELECT dwelling_id, count(DISTINCT resident_id) AS n FROM {occupancy} "
        f"GROUP BY dwelling_id) c "
        f"WHERE c.dwelling_id = {dwelling}.id AND {dwelling}.occupants <> c.n",
        [_db_now(snap)],
    )
    rio.execute(
        f"UPDATE {dwelling} SET occupants = 0, updated_at = %s WHERE occupants <> 0 AND NOT EXISTS "
        f"(SELECT 1 FROM {occupancy} o WHERE o.dwelling_id = {dwelling}.id)",
        [_db_now(snap)],
    )


def _place_residents(snap: rio.Snapshot, result: DwellingRefresh) -> None:
    """Each resident with an occupancy lives where their registration says, else their card
    (the latest-expiring first). Town and village follow the dwelling; a dwelling whose place
    is unknown keeps the resident's last known one. A resident with no occupancy any more
    loses the dwelling but keeps the last known town and village. One pass over the
    residents finds those whose place changes; only they are written."""
    resident, dwelling, occupancy = (
        Resident._meta.db_table, Dwelling._meta.db_table, Occupancy._meta.db_table
    )  # fmt: skip
    rio.execute("DROP TABLE IF EXISTS hub_place")
    rio.execute(
        f"""
        CREATE TEMP TABLE hub_place AS
        WITH best AS (
            SELECT resident_id, dwelling_id, town_id, village_id FROM (
                SELECT o.resident_id, o.dwelling_id, d.town_id, d.village_id,
                       row_number() OVER (
                           PARTITION BY o.resident_id
                           ORDER BY CASE o.basis WHEN '{OccupancyBasis.REGISTRATION.value}'
                                    THEN 0 ELSE 1 END,
                                    o.valid_until DESC NULLS FIRST, o.source_key DESC
                       ) AS rank
                FROM {occupancy} o JOIN {dwelling} d ON d.id = o.dwelling_id
            ) ranked WHERE rank = 1
        ),
        wanted AS (
            SELECT r.id, r.dwelling_id AS old_dwelling, r.town_id AS old_town,
                   r.village_id AS old_village, b.dwelling_id,
                   coalesce(b.town_id, r.town_id) AS town_id,
                   CASE WHEN b.town_id IS NULL THEN r.village_id ELSE b.village_id END
                       AS village_id
            FROM {resident} r LEFT JOIN best b ON b.resident_id = r.id
            WHERE b.resident_id IS NOT NULL OR r.dwelling_id IS NOT NULL
        )
        SELECT id, dwelling_id, town_id, village_id FROM wanted
        WHERE old_dwelling IS DISTINCT FROM dwelling_id OR old_town IS DISTINCT FROM town_id
           OR old_village IS DISTINCT FROM village_id
        """
    )  # fmt: skip
    result.residents_unplaced = rio.execute(
        "SELECT count(*) FROM hub_place WHERE dwelling_id IS NULL", fetch=True
    )
    moved = rio.execute(
        f"UPDATE {resident} SET dwelling_id = p.dwelling_id, town_id = p.town_id, "
        f"village_id = p.village_id, updated_at = %s FROM hub_place p "
        f"WHERE p.id = {resident}.id",
        [_db_now(snap)],
    )
    result.residents_placed = moved - result.residents_unplaced
    rio.drop("hub_place")
