"""Start, stop, restart and kill -9 a podstack server for black-box tests.

The server is started on port 0 (the OS picks a free port) with its own
temporary DATA_DIR; readiness is read from the server's startup log line
("listening on HOST:PORT"), never guessed with sleeps.
"""
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PODSTACK_BIN", os.path.join(REPO, "build", "tools", "podstack"))
READY = re.compile(r"listening on (\S+):(\d+)")
# Debian's aws CLI (a second one on PATH, e.g. pip's, is what some tests compare with).
AWS_CLI = shutil.which("aws", path="/usr/bin") or shutil.which("aws")


class PodstackServer:
    def __init__(self, data_dir, persistence=True, env=None, startup_timeout=30):
        self.data_dir = str(data_dir)
        self.persistence = persistence
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.proc = None
        self.port = None
        self.log_lines = []
        self._log_cv = threading.Condition()

    # -- lifecycle -------------------------------------------------------
    def start(self):
        assert self.proc is None, "already running"
        env = dict(os.environ)
        env.update({
            # Port 0 on first start (the OS picks a free one); restarts reuse
            # it, so clients made before a restart keep working.
            "GATEWAY_LISTEN": f"127.0.0.1:{self.port or 0}",
            "DATA_DIR": self.data_dir,
            "PERSISTENCE": "1" if self.persistence else "0",
            "LOG_LEVEL": env.get("PODSTACK_TEST_LOG_LEVEL", "info"),
        })
        env.update(self.extra_env)
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        ready = threading.Event()
        found = {}

        def drain(stream, lines):
            for line in stream:
                with self._log_cv:
                    lines.append(line.rstrip("\n"))
                    self._log_cv.notify_all()
                m = READY.search(line)
                if m and not ready.is_set():
                    found["port"] = int(m.group(2))
                    ready.set()
            ready.set()  # EOF: the process died before it was ready

        self._drainer = threading.Thread(target=drain, args=(self.proc.stderr, self.log_lines), daemon=True)
        self._drainer.start()
        if not ready.wait(self.startup_timeout) or "port" not in found:
            self.kill9()
            raise RuntimeError("podstack did not become ready:\n" + "\n".join(self.log_lines[-50:]))
        self.port = found["port"]
        return self

    def wait_for_log(self, text, timeout=60):
        """Blocks until a log line contains `text` (a condition, not a sleep); the line."""
        with self._log_cv:
            ok = self._log_cv.wait_for(lambda: any(text in l for l in self.log_lines), timeout)
        assert ok, f"no log line with {text!r}:\n" + "\n".join(self.log_lines[-20:])
        return next(l for l in self.log_lines if text in l)

    def stop(self, timeout=30):
        """Graceful stop (SIGTERM): in-flight requests finish, a checkpoint is written."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._drainer.join(5)
        self.proc = None
        return rc

    def kill9(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._drainer.join(5)
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def crash_restart(self):
        self.kill9()
        return self.start()

    # -- access ----------------------------------------------------------
    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self, service, region="us-east-1", **kw):
        import boto3.session
        from botocore.config import Config
        kw.setdefault("aws_access_key_id", "test")
        kw.setdefault("aws_secret_access_key", "test")
        # A session per client: boto3's default session is not thread-safe.
        return boto3.session.Session().client(service, endpoint_url=self.endpoint, region_name=region,
                                              config=Config(retries={"total_max_attempts": 1}), **kw)

    def get_json(self, path):
        with urllib.request.urlopen(self.endpoint + path, timeout=10) as r:
            return json.loads(r.read())

    def post(self, path, body=b""):
        req = urllib.request.Request(self.endpoint + path, data=body, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()

    def call_json(self, method, path, body=None):
        """(status, parsed JSON answer) of an internal endpoint, error answers included; `body` is sent
        as JSON, or as it is when bytes."""
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def state(self):
        """{"last_sequence": N, "hash": hex, "services": {name: hex}}"""
        return self.get_json("/_podstack/state")

    def state_hash(self):
        return self.state()["hash"]


def error_code(excinfo):
    """The AWS error code of a pytest.raises(ClientError) result."""
    return excinfo.value.response["Error"]["Code"]


def without_metadata(resp):
    """A boto3 response without ResponseMetadata (request ids differ between calls)."""
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


def wait_until(cond, timeout=30, what="condition"):
    """Waits for a condition, not for time: polls cond() until it is true, failing after `timeout` seconds."""
    import time
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def aws_run(server, *args, check=True, timeout=120):
    """The aws CLI against the server, with test credentials and no user config; the CompletedProcess."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_PAGER": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    r = subprocess.run([AWS_CLI, "--endpoint-url", server.endpoint, *args], capture_output=True, text=True, env=env,
                       timeout=timeout)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def aws_json(server, *args):
    """The aws CLI's JSON output, parsed (None when it prints nothing)."""
    r = aws_run(server, "--output", "json", *args)
    return json.loads(r.stdout) if r.stdout.strip() else None


@contextlib.contextmanager
def module_server(data_parent):
    """A server shared by a module's tests (none restarts it); at the end it must still be running."""
    s = PodstackServer(data_parent / "data").start()
    try:
        yield s
    finally:
        died = s.proc.poll()
        s.stop()
    assert died is None, f"podstack exited ({died}) during the module:\n" + "\n".join(s.log_lines[-40:])


def sqs_json_call(server, op, body):
    """One JSON-protocol SQS request (X-Amz-Target: AmazonSQS.<op>): (status, headers, parsed body)."""
    req = urllib.request.Request(server.endpoint + "/", data=json.dumps(body).encode(), method="POST",
                                 headers={"X-Amz-Target": "AmazonSQS." + op,
                                          "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read() or b"{}")
