"""The hub's transactional side. Source records themselves live in Parquet (store.py); here
are the loads, the registry that linkage builds from them, and the work they produce."""

from huying.datahub.models.access import (
    AccessKind,
    AccessVia,
    PersonAccess,
    PersonAccessSubject,
)
from huying.datahub.models.catalogue import (
    AccessGrant,
    AccessRequest,
    Category,
    CategoryField,
)
from huying.datahub.models.discrepancies import Discrepancy, DiscrepancyEvent
from huying.datahub.models.loads import Load, LoadFile
from huying.datahub.models.registry import (
    Dwelling,
    LinkageRun,
    Occupancy,
    Resident,
    ResidentRecord,
)

__all__ = [
    "AccessGrant",
    "AccessKind",
    "AccessRequest",
    "AccessVia",
    "Category",
    "CategoryField",
    "Discrepancy",
    "DiscrepancyEvent",
    "Dwelling",
    "LinkageRun",
    "Load",
    "LoadFile",
    "Occupancy",
    "PersonAccess",
    "PersonAccessSubject",
    "Resident",
    "ResidentRecord",
]
