"""Two delivery sweeps at once, as separate processes on one database, never send one twice."""

import json
import os
import subprocess
import uuid
from collections import Counter

from tests.live import HUYING, _database
from tests.notify.webhook_server import running_receiver

MESSAGES = 150

SETUP = """
from huying.notify import services
from huying.orgs.models import User
user = User.objects.create(username="receiver-test", full_name="测试", phone="13812345678")
for i in range({n}):
    services.notify([user], kind="test.concurrent", title=f"第 {{i}} 条", body="")
"""

STATUS = """
import json
from django.db.models import Count
from huying.notify.models import OutboxMessage
rows = OutboxMessage.objects.values("status", "attempts").annotate(n=Count("id"))
print(json.dumps(sorted([r["status"], r["attempts"], r["n"]] for r in rows)))
"""


def _run(env, *args, timeout=300):
    return subprocess.run(
        [*HUYING, *args], env=env, check=True, capture_output=True, text=True, timeout=timeout
    ).stdout


def test_two_workers_at_once_deliver_each_message_exactly_once(tmp_path):
    with (
        running_receiver() as receiver,
        _database(os.environ.get("HUYING_DATABASE_URL", "")) as url,
    ):
        receiver.delay = 0.01
        env = {
            **os.environ,
            "HUYING_DATA_DIR": str(tmp_path),
            "HUYING_DEBUG": "0",
            "HUYING_SECRET_KEY": "notify-test-" + uuid.uuid4().hex,
            "HUYING_NOTIFY_WEBHOOK_URL": receiver.url,
            "DJANGO_SETTINGS_MODULE": "huying.settings",
        }
        env.pop("HUYING_DATABASE_URL", None)
        if url:
            env["HUYING_DATABASE_URL"] = url
        _run(env, "migrate")
        _run(env, "manage", "shell", "-c", SETUP.format(n=MESSAGES))
        sweeps = [
            subprocess.Popen(
                [*HUYING, "sweep", "--only", "notify.deliver_outbox"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [s.communicate(timeout=300) for s in sweeps]
        assert all(s.returncode == 0 for s in sweeps), outputs
        status = json.loads(_run(env, "manage", "shell", "-c", STATUS).strip().splitlines()[-1])
    received = Counter(body["message_id"] for body in receiver.received)
    assert len(received) == MESSAGES and set(received.values()) == {1}
    assert status == [["sent", 1, MESSAGES]]
    sent = [
        json.loads(out.split("notify.deliver_outbox: ")[1].replace("'", '"')) for out, _ in outputs
    ]
    assert sum(s["sent"] for s in sent) == MESSAGES, sent
    assert {body["phone"] for body in receiver.received} == {"138****5678"}
