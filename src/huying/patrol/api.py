"""The patrol API (/api/v1/patrol/…): one router per concern, mounted here, so that a native
patrol app or a handheld ID-card reader can do everything the pages do."""

from ninja import Router

router = Router(tags=["出租屋巡查"])
