"""Why a packet or a piece of a stream was refused: a short machine code and a Chinese message."""


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue; callers that show it translate it with gettext."""
    return message


MESSAGES = {
    "garbage": gettext_noop("包头 ## 之前有无法识别的字节"),
    "length": gettext_noop("长度字段不是 4 位数字或超出允许范围"),
    "size": gettext_noop("数据段的实际长度与长度字段不符"),
    "crc": gettext_noop("CRC 校验不符"),
    "no_crlf": gettext_noop("数据包没有以回车换行结尾"),
    "too_long": gettext_noop("收到的数据过多却没有一个完整的数据包"),
    "syntax": gettext_noop("数据段格式错误"),
    "time": gettext_noop("DataTime 不是有效的时间"),
}


class FrameError(ValueError):
    """Returned by the framer and raised by the parser; `reason` is one of MESSAGES' keys."""

    def __init__(self, reason: str, detail: str = "", raw: bytes = b""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.raw = raw[:200]  # enough to log, bounded whatever the peer sent

    @property
    def message(self) -> str:
        text = MESSAGES.get(self.reason, self.reason)
        return f"{text}（{self.detail}）" if self.detail else text

    def __eq__(self, other):
        return isinstance(other, FrameError) and (self.reason, self.detail) == (
            other.reason,
            other.detail,
        )

    __hash__ = ValueError.__hash__
