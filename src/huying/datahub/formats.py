"""The hub's load format, version 1, as data (documented for people in docs/load-format.md).

One load is one folder; each file present is one source's extract, CSV (UTF-8, header row) or
Parquet with the same columns. Every column arrives as text and is checked against its kind
here, so the rules for "what a well-formed file is" have one home.
"""

from dataclasses import dataclass

from huying.datahub.choices import Source

FORMAT_VERSION = 1

TEXT, DATE, DATETIME, INTEGER, DECIMAL, LATITUDE, LONGITUDE = (
    "text",
    "date",
    "datetime",
    "integer",
    "decimal",
    "latitude",
    "longitude",
)
GENDERS = ("男", "女")
REGISTRATION_STATUSES = ("有效", "已过期", "已注销")
# What an inspector found of one occupant (patrol.choices.OccupantOutcome's values).
INSPECTION_OUTCOMES = ("confirmed", "differs", "moved_out", "new")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False  # a value must be present in every row
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFormat:
    source: Source
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # what identifies a record within its source
    # (ID column, the birth-date column and the gender column the record states beside it)
    id_columns: tuple[tuple[str, str, str], ...] = ()
    phone_columns: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.source.value}.csv"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: str = TEXT, required: bool = False, choices=()) -> Column:
    return Column(name, kind, required, tuple(choices))


FORMATS: dict[str, SourceFormat] = {
    f.source.value: f
    for f in (
        SourceFormat(
            Source.DWELLINGS,
            (
                _c("dwelling_code", required=True),
                _c("address", required=True),
                _c("town"),
                _c("village"),
                _c("owner_name"),
                _c("owner_id_number"),
                _c("owner_phone"),
                _c("rooms", INTEGER),
                _c("max_occupants", INTEGER),
                _c("lat", LATITUDE),
                _c("lon", LONGITUDE),
            ),
            key=("dwelling_code",),
            id_columns=(("owner_id_number", "", ""),),
            phone_columns=("owner_phone",),
        ),
        SourceFormat(
            Source.DOOR_ACCESS_CARDS,
            (
                _c("card_id", required=True),
                _c("dwelling_code", required=True),
                _c("holder_name"),
                _c("id_number"),
                _c("phone"),
                _c("issued_at", DATETIME),
                _c("expires_at", DATETIME),
            ),
            key=("card_id",),
            id_columns=(("id_number", "", ""),),
            phone_columns=("phone",),
        ),
        SourceFormat(
            Source.DOOR_ACCESS_EVENTS,
            (
                _c("card_id", required=True),
                _c("dwelling_code", required=True),
                _c("door_id", required=True),
                _c("event_time", DATETIME, required=True),
            ),
            key=("card_id", "door_id", "event_time"),
        ),
        SourceFormat(
            Source.PUBLIC_SECURITY_PERSONS,
            (
                _c("person_key", required=True),
                _c("name", required=True),
                _c("id_number"),
                _c("gender", choices=GENDERS),
                _c("birth_date", DATE),
                _c("hukou_address"),
                _c("current_address"),
                _c("phone"),
                _c("updated_at", DATETIME),
            ),
            key=("person_key",),
            id_columns=(("id_number", "birth_date", "gender"),),
            phone_columns=("phone",),
        ),
        SourceFormat(
            Source.MIGRANT_REGISTRATIONS,
            (
                _c("registration_no", required=True),
                _c("name", required=True),
                _c("id_number"),
                _c("gender", choices=GENDERS),
                _c("birth_date", DATE),
                _c("phone"),
                _c("dwelling_code"),
                _c("address"),
                _c("employer"),
                _c("registered_at", DATETIME),
                _c("expires_at", DATETIME),
                _c("status", choices=REGISTRATION_STATUSES),
            ),
            key=("registration_no",),
            id_columns=(("id_number", "birth_date", "gender"),),
            phone_columns=("phone",),
        ),
        SourceFormat(
            Source.INSPECTION,
            (
                _c("visit_key", required=True),
                _c("occupant_no", INTEGER, required=True),
                _c("dwelling_code", required=True),
                _c("outcome", required=True, choices=INSPECTION_OUTCOMES),
                _c("name"),
                _c("id_number"),
                _c("phone"),
                _c("resident_id", INTEGER),
                _c("inspector", required=True),
                _c("visited_at", DATETIME, required=True),
                _c("recorded_at", DATETIME, required=True),
            ),
            key=("visit_key", "occupant_no"),
            id_columns=(("id_number", "", ""),),
            phone_columns=("phone",),
        ),
    )
}

# The person sources linkage reads (the dwellings and the events feed the registry directly).
PERSON_SOURCES = (
    Source.DOOR_ACCESS_CARDS,
    Source.PUBLIC_SECURITY_PERSONS,
    Source.MIGRANT_REGISTRATIONS,
    Source.INSPECTION,
)
