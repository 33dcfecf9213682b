from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("区")
    DEPARTMENT = "department", _("区直部门")
    COMMISSION = "commission", _("区纪委监委")
    COMMAND_CENTRE = "command_centre", _("指挥中心")
    TOWN = "town", _("镇")
    STREET = "street", _("街道")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")


class Tier(models.TextChoices):
    """The three levels of 区—镇街—村社."""

    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇街")
    VILLAGE = "village", _("村社")


TIER_OF_KIND = {
    OrgKind.DISTRICT: Tier.DISTRICT,
    OrgKind.DEPARTMENT: Tier.DISTRICT,
    OrgKind.COMMISSION: Tier.DISTRICT,
    OrgKind.COMMAND_CENTRE: Tier.DISTRICT,
    OrgKind.TOWN: Tier.TOWN,
    OrgKind.STREET: Tier.TOWN,
    OrgKind.VILLAGE: Tier.VILLAGE,
    OrgKind.COMMUNITY: Tier.VILLAGE,
}

# Which kind of parent each kind hangs under (the district has none).
PARENT_KINDS = {
    OrgKind.DISTRICT: set(),
    OrgKind.DEPARTMENT: {OrgKind.DISTRICT},
    OrgKind.COMMISSION: {OrgKind.DISTRICT},
    OrgKind.COMMAND_CENTRE: {OrgKind.DISTRICT},
    OrgKind.TOWN: {OrgKind.DISTRICT},
    OrgKind.STREET: {OrgKind.DISTRICT},
    OrgKind.VILLAGE: {OrgKind.TOWN, OrgKind.STREET},
    OrgKind.COMMUNITY: {OrgKind.TOWN, OrgKind.STREET},
}


class Role(models.TextChoices):
    CALLER = "caller", _("镇街/村社干部（呼叫方）")
    RESPONDER = "responder", _("部门工作人员（响应方）")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    OPERATOR = "operator", _("指挥中心值班员")
    INSPECTOR = "inspector", _("巡查员")
    SUPERVISOR = "supervisor", _("纪委监委监督员")
    LEADER = "leader", _("区领导")
    ADMIN = "admin", _("系统管理员")


# Roles whose view is the whole district (scoping).
DISTRICT_WIDE_ROLES = {Role.OPERATOR, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}

# Which kinds of org a user of each role may belong to.
ROLE_ORG_KINDS = {
    Role.CALLER: {OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE, OrgKind.COMMUNITY},
    Role.RESPONDER: {OrgKind.DEPARTMENT},
    Role.DEPARTMENT_HEAD: {OrgKind.DEPARTMENT},
    Role.OPERATOR: {OrgKind.COMMAND_CENTRE},
    Role.INSPECTOR: {OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE, OrgKind.COMMUNITY},
    Role.SUPERVISOR: {OrgKind.COMMISSION},
    Role.LEADER: {OrgKind.DISTRICT},
    Role.ADMIN: {OrgKind.DISTRICT, OrgKind.COMMAND_CENTRE, OrgKind.DEPARTMENT},
}
