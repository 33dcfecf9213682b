"""The JSON API (Django Ninja): one NinjaAPI, each app mounts its own router.

OpenAPI at /api/docs (and /api/openapi.json).
"""

from ninja import NinjaAPI

from huying.calls.api import router as calls_router
from huying.calls.api_cases import cases_router, ratings_router
from huying.calls.api_matters import router as matters_router
from huying.calls.api_meetings import action_items_router, meetings_router
from huying.calls.api_requests import attachments_router, requests_router
from huying.calls.api_stats import stats_router
from huying.core import api_errors
from huying.core.api_auth import API_AUTH
from huying.core.renderers import ReadableJSONRenderer
from huying.datahub.api_catalogue import router as catalogue_router
from huying.datahub.api_hub import router as datahub_router
from huying.datahub.api_hub_sources import router as datahub_sources_router
from huying.notify.api import router as notify_router
from huying.orgs.api import auth_router, orgs_router
from huying.patrol.api import router as patrol_router
from huying.sensing.api_alarms import router as alarms_router
from huying.sensing.api_boards import router as boards_router
from huying.sensing.api_history import router as history_router
from huying.sensing.api_telemetry import router as telemetry_router
from huying.sensing.api_video import router as video_router
from huying.sensing.api_water import router as water_router
from huying.supervision.api_cases import router as supervision_cases_router
from huying.supervision.api_metrics import router as supervision_metrics_router
from huying.supervision.api_plans import assessments_router as supervision_assessments_router
from huying.supervision.api_plans import merges_router as supervision_merges_router
from huying.supervision.api_plans import plans_router as supervision_plans_router
from huying.supervision.api_reminders import router as supervision_reminders_router
from huying.supervision.api_submissions import router as supervision_submissions_router
from huying.supervision.api_tasks import router as supervision_tasks_router

api = NinjaAPI(
    title="呼应 Huying API",
    version="1",
    description="区综合指挥调度平台的接口。除 /v1/auth/token 外，均需 Bearer 令牌或登录会话。",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    renderer=ReadableJSONRenderer(),
)
api_errors.install(api)
api.add_router("/v1/auth", auth_router)
api.add_router("/v1/orgs", orgs_router)
api.add_router("/v1/notifications", notify_router)
api.add_router("/v1/calls", calls_router)
api.add_router("/v1/accountability-cases", cases_router)
api.add_router("/v1/ratings", ratings_router)
api.add_router("/v1/matters", matters_router)
api.add_router("/v1/meetings", meetings_router)
api.add_router("/v1/action-items", action_items_router)
api.add_router("/v1/statistics", stats_router)
api.add_router("/v1/attachments", attachments_router)
api.add_router("/v1/village-requests", requests_router)
api.add_router("/v1/catalogue", catalogue_router)
api.add_router("/v1/datahub", datahub_router)
api.add_router("/v1/datahub/sources", datahub_sources_router)
api.add_router("/v1/patrol", patrol_router)
api.add_router("/v1/water", water_router)
api.add_router("/v1/sensing/alarms", alarms_router)
api.add_router("/v1/sensing/video", video_router)
api.add_router("/v1/sensing/boards", boards_router)
api.add_router("/v1/sensing/history", history_router)
api.add_router("/v1/supervision/tasks", supervision_tasks_router)
api.add_router("/v1/supervision/reminders", supervision_reminders_router)
api.add_router("/v1/supervision/submissions", supervision_submissions_router)
api.add_router("/v1/supervision/plans", supervision_plans_router)
api.add_router("/v1/supervision/assessments", supervision_assessments_router)
api.add_router("/v1/supervision/merges", supervision_merges_router)
api.add_router("/v1/supervision/cases", supervision_cases_router)
api.add_router("/v1/supervision/metrics", supervision_metrics_router)
api.add_router("/v1/sensing", telemetry_router)
