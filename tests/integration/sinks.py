"""Outside endpoints the tests run for podstack's outbox to deliver to: an SMTP
server (aiosmtpd) and an HTTP server (an SNS subscriber), each on a free
loopback port, keeping everything they receive. Waiting is on a condition,
never on time."""
import email
import email.policy
import http.server
import json
import socket
import threading


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """`envelopes`: aiosmtpd envelopes in arrival order; mails(): (mail_from, rcpt_tos, parsed message)."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.envelopes = []
        self.cv = threading.Condition()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.cv:
                    sink.envelopes.append(envelope)
                    sink.cv.notify_all()
                return "250 OK"

        # aiosmtpd 1.4 (Debian 12) connects to its own port on start: it needs a real one, not 0.
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def count(self):
        with self.cv:
            return len(self.envelopes)

    def mails(self):
        with self.cv:
            return [(e.mail_from, list(e.rcpt_tos), email.message_from_bytes(e.content, policy=email.policy.default))
                    for e in self.envelopes]

    def wait(self, n, timeout=30):
        """At least n envelopes; all of them."""
        with self.cv:
            assert self.cv.wait_for(lambda: len(self.envelopes) >= n, timeout), self.envelopes
            return list(self.envelopes)

    def stop(self):
        self.controller.stop()


class HttpSink:
    """Records every POST ({"path", "body", "headers" (lower-case)}); `status(kind)` picks the answer
    by the x-amz-sns-message-type header."""

    def __init__(self, status=lambda kind: 200):
        self.requests = []
        self.cv = threading.Condition()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                kind = self.headers.get("x-amz-sns-message-type")
                with sink.cv:
                    sink.requests.append({"path": self.path, "body": body,
                                          "headers": {k.lower(): v for k, v in self.headers.items()}})
                    sink.cv.notify_all()
                self.send_response(status(kind))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def count(self):
        with self.cv:
            return len(self.requests)

    def of(self, kind):
        with self.cv:
            return [r for r in self.requests if r["headers"].get("x-amz-sns-message-type") == kind]

    def bodies(self, kind):
        """The parsed JSON bodies of one message type."""
        return [json.loads(r["body"]) for r in self.of(kind)]

    def wait(self, kind, n, timeout=30):
        with self.cv:
            ok = self.cv.wait_for(lambda: len([r for r in self.requests
                                               if r["headers"].get("x-amz-sns-message-type") == kind]) >= n, timeout)
        assert ok, f"sink did not get {n} {kind} requests: {self.requests}"
        return self.of(kind)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
