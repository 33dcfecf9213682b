"""The 9 urban-management video-analytics categories Guangzhou uses (sensing-standards.md).

More can be added in the admin; these are data the platform cannot work without."""

from django.db import migrations

CATEGORIES = [
    ("outside_shop", "店外经营", "店铺在门外经营"),
    ("road_advert", "占道广告", "占用道路设置广告"),
    ("street_vendor", "游商小贩", "流动摊贩"),
    ("littering", "乱扔乱倒", "乱扔垃圾、乱倒废弃物"),
    ("piled_materials", "乱堆物料", "物料随意堆放"),
    ("bin_overflow", "垃圾满溢", "垃圾桶满溢"),
    ("exposed_garbage", "垃圾暴露", "垃圾暴露未清理"),
    ("street_laundry", "沿街晾晒", "沿街晾晒衣物"),
    ("muck_truck", "余泥渣土运输", "余泥渣土车超载或未密闭运输"),
]


def seed(apps, schema_editor):
    VideoCategory = apps.get_model("sensing", "VideoCategory")
    for code, name, description in CATEGORIES:
        VideoCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("sensing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
