"""How the API shows and serves an attachment (shared by the calls and village-request APIs)."""

from django.http import FileResponse
from ninja import Schema
from pydantic import Field

from huying.calls.models import Attachment


class AttachmentOut(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 12,
                    "name": "现场照片.jpg",
                    "content_type": "image/jpeg",
                    "size": 204800,
                    "url": "/api/v1/attachments/12",
                }
            ]
        }
    }

    id: int
    name: str
    content_type: str
    size: int = Field(description="字节数")
    url: str = Field(description="下载地址（需登录或令牌）")

    @staticmethod
    def resolve_url(attachment: Attachment) -> str:
        return f"/api/v1/attachments/{attachment.pk}"


def download(attachment: Attachment) -> FileResponse:
    """The stored file with the type proven at upload; images open inline, the rest download."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
