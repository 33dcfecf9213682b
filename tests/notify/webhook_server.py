"""A real webhook receiver on 127.0.0.1: http.server in a thread, on a free port."""

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Records every POST; answers with `status` and `answer` (changeable during a test)."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0  # seconds before answering (to make concurrent senders overlap)
        self.answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        self.url = ""

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.received.append(json.loads(raw))
                    receiver.headers.append(dict(self.headers))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        return Handler


@contextmanager
def running_receiver():
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
