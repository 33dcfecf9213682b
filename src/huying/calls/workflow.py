"""The call's state machine as data: which action may run from which state, and where it leads.

Pure: `services` asks `check(action, status)` before changing anything, and `replay` rebuilds
a call's stored state from its events (a test proves the two agree).
"""

from dataclasses import dataclass
from datetime import datetime

from huying.calls.choices import CallStatus, EventKind
from huying.core.errors import Conflict

S = CallStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (e.g. a co-department signs)
    label: str


TRANSITIONS = {
    "respond": Transition(frozenset({S.CALLED, S.RESPONDED, S.IN_PROGRESS}), None, "签收响应"),
    "return": Transition(frozenset({S.CALLED}), S.RETURNED, "退回"),
    "reroute": Transition(frozenset({S.RETURNED}), S.CALLED, "裁决改派"),
    "uphold": Transition(frozenset({S.RETURNED}), S.CALLED, "裁决维持"),
    "transfer": Transition(frozenset({S.CALLED, S.RESPONDED, S.IN_PROGRESS}), S.CALLED, "转办"),
    "progress": Transition(frozenset({S.RESPONDED, S.IN_PROGRESS}), S.IN_PROGRESS, "进展反馈"),
    "resolve": Transition(frozenset({S.RESPONDED, S.IN_PROGRESS}), S.RESOLVED, "办结"),
    "confirm": Transition(frozenset({S.RESOLVED}), S.CLOSED, "确认办结"),
    "reject": Transition(frozenset({S.RESOLVED}), S.IN_PROGRESS, "不满意退回重办"),
    "withdraw": Transition(frozenset({S.CALLED, S.RETURNED}), S.WITHDRAWN, "撤回"),
    "convene": Transition(frozenset({S.CALLED, S.RESPONDED, S.IN_PROGRESS}), None, "召开协调会"),
    "minutes": Transition(
        frozenset({S.CALLED, S.RETURNED, S.RESPONDED, S.IN_PROGRESS, S.RESOLVED}),
        None,
        "记录协调会纪要",
    ),
    "complete_action": Transition(
        frozenset({S.CALLED, S.RETURNED, S.RESPONDED, S.IN_PROGRESS, S.RESOLVED}),
        None,
        "完成议定事项",
    ),
    # A scheduled meeting can be called off whatever became of the call.
    "cancel_meeting": Transition(frozenset(CallStatus), None, "取消协调会"),
    "urge": Transition(
        frozenset({S.CALLED, S.RETURNED, S.RESPONDED, S.IN_PROGRESS, S.RESOLVED}), None, "督办"
    ),
}


def check(action: str, status: str) -> Transition:
    """The transition for `action` from `status`, or a 409 naming the current state."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise Conflict(
            f"当前状态为「{CallStatus(status).label}」，不能{transition.label}", field="status"
        )
    return transition


# Fields of Call that the events determine, and how each event kind moves them.
REPLAYED_FIELDS = (
    "status",
    "lead_department_id",
    "response_clock_from",
    "response_due_at",
    "responded_at",
    "resolution_due_at",
    "resolved_at",
    "closed_at",
    "withdrawn_at",
    "redo_count",
    "return_count",
    "urge_level",
)


MOMENTS = (
    "response_clock_from",
    "response_due_at",
    "resolution_due_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "withdrawn_at",
)


def replay(events) -> dict:
    """Rebuild a call's state fields from its events, oldest first."""
    state: dict = {"redo_count": 0, "return_count": 0, "urge_level": 0}
    for event in events:
        data = event.data
        if event.to_status:
            state["status"] = event.to_status
        if "lead_department_id" in data:
            state["lead_department_id"] = data["lead_department_id"]
        for name in MOMENTS:
            if name in data:
                state[name] = datetime.fromisoformat(data[name]) if data[name] else None
        if event.kind == EventKind.RETURNED:
            state["return_count"] += 1
        elif event.kind == EventKind.REJECTED:
            state["redo_count"] += 1
        elif event.kind == EventKind.URGED:
            state["urge_level"] = max(state["urge_level"], data.get("level", 1))
    return state
