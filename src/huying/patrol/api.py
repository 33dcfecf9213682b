"""The patrol API (/api/v1/patrol/…): one router per concern, mounted here, so that a native
patrol app or a handheld ID-card reader can do everything the pages do."""

from ninja import Router

from huying.patrol.api_coverage import router as coverage_router
from huying.patrol.api_plans import router as plans_router
from huying.patrol.api_tracks import router as tracks_router
from huying.patrol.api_visits import router as visits_router

router = Router(tags=["出租屋巡查"])
router.add_router("", tracks_router)
router.add_router("", plans_router)
router.add_router("", visits_router)
router.add_router("", coverage_router)
