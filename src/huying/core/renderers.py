import json

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ReadableJSONRenderer(JSONRenderer):
    """JSON with Chinese left readable (UTF-8), not \\u-escaped."""

    def render(self, request, data, *, response_status):
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False)
