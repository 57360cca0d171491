"""A local fake OpenAI-compatible chat endpoint for tests (127.0.0.1, an ephemeral port).

Each request to ``POST /v1/chat/completions`` takes the next scripted :class:`Reply` (the
last one repeats), answers it as the real API would — a JSON ``chat.completion`` or, for
``"stream": true``, server-sent ``chat.completion.chunk`` events ending in ``[DONE]`` — and
records the request body, so tests can check what the client sent (prompt size, seed …).

Failure replies: an HTTP status with an OpenAI-style error body (500, 429), a delay longer
than the client's timeout, and a malformed body.  "Connection refused" needs no server:
:func:`closed_port` returns a port nothing listens on.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(slots=True)
class Reply:
    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (longer than the client timeout = timeout)
    malformed: bool = False
    chunk_chars: int = 6


class FakeLLMServer:
    """``with FakeLLMServer([Reply(...)]) as srv: ... srv.base_url ...``"""

    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.replies = list(replies or [Reply("知识库中未找到相关条款。")])
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = server._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                # The client may give up (timeout) or stop reading (loop guard).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(body, reply)

            def _send(self, status: int, payload: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(payload)

            def _answer(self, body: dict[str, Any], reply: Reply) -> None:
                if reply.status != 200:
                    err = {"error": {"message": f"fake error {reply.status}", "type": "server"}}
                    self._send(reply.status, json.dumps(err).encode(), "application/json")
                    return
                if reply.malformed:
                    self._send(200, b"<html>502 Bad Gateway</html>{{{", "application/json")
                    return
                if not body.get("stream"):
                    out = {
                        "id": "fake",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "fake"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply.content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                    self._send(
                        200, json.dumps(out, ensure_ascii=False).encode(), "application/json"
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                text = reply.content
                step = max(1, reply.chunk_chars)
                for i in range(0, len(text), step):
                    self._event(body, {"content": text[i : i + step]}, None)
                self._event(body, {}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(
                self, body: dict[str, Any], delta: dict[str, str], finish: str | None
            ) -> None:
                chunk = {
                    "id": "fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                data = json.dumps(chunk, ensure_ascii=False)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeLLMServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    """A local port with nothing listening (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
