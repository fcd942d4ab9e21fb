"""Pod remotes: --remote file:///path and s3://bucket/prefix for save, load, list, versions, inspect, delete, push
and pull, and concurrency-safe version numbering on the remote.

S3 is tested against s3rver (npm, installed into tests/remote/node_modules like tests/js) and, when the pyenv
python3 has it, moto. s3rver ignores If-None-Match on PUT (it only honours it on GET), so the numbering under
concurrent savers is proven with file:// and moto; against s3rver only sequential numbering is checked.
"""
import json
import os
import re
import shutil
import subprocess
import threading

import pytest

from podstack_server import BIN
from test_pods import populate, reads, run_with_tty_stderr

REMOTE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "remote")


def pod(server, *args, check=True, env=None):
    r = subprocess.run([BIN, "pod", *args, "--endpoint", server.endpoint, "--json"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "DATA_DIR": server.data_dir, **(env or {})})
    if check:
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    return r


class Background:
    """A helper process whose first matching output line gives its port; stopped by pid."""

    def __init__(self, args, pattern, cwd=None, stream="stdout"):
        self.proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        pat = re.compile(pattern)
        self.lines = []
        for line in self.proc.stdout:  # blocks until the line is printed, or EOF when it dies
            self.lines.append(line)
            m = pat.search(line)
            if m:
                self.port = int(m.group(1))
                break
        else:
            raise RuntimeError("helper did not start:\n" + "".join(self.lines))
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def s3rver(tmp_path):
    if not os.path.isdir(os.path.join(REMOTE_DIR, "node_modules", "s3rver")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=REMOTE_DIR,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            pytest.skip(f"s3rver missing and npm ci failed:\n{r.stderr[-2000:]}")
    (tmp_path / "s3rver").mkdir()
    b = Background(["node", "s3rver.mjs", str(tmp_path / "s3rver")], r"s3rver listening on [\d.]+:(\d+)", cwd=REMOTE_DIR)
    yield f"http://127.0.0.1:{b.port}"
    b.stop()


@pytest.fixture
def moto():
    """moto's server with bucket "pods", when the pyenv python3 has moto (not in CI: then skipped)."""
    py = shutil.which("python3")
    if not py or os.path.realpath(py) == "/usr/bin/python3" or \
            subprocess.run([py, "-c", "import moto.server"], capture_output=True).returncode != 0:
        pytest.skip("moto is not installed for python3 on PATH")
    b = Background([py, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], r"Running on http://127\.0\.0\.1:(\d+)")
    endpoint = f"http://127.0.0.1:{b.port}"
    subprocess.run(["curl", "-sf", "-X", "PUT", endpoint + "/pods"], check=True, capture_output=True)
    yield endpoint
    b.stop()


S3RVER_ENV = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": "us-east-1"}


def round_trip(server, remote, extra=(), env=None):
    """save --remote twice, reset, load --remote of the first version: every read as before; list/versions/inspect."""
    populate(server)
    before, h = reads(server), server.state_hash()
    first = pod(server, "save", "team", "--remote", remote, *extra, env=env)
    assert first["version"] == 1 and first["remote"] == remote and first["state_hash"] == h
    server.client("ssm").put_parameter(Name="/later", Value="x", Type="String")
    assert pod(server, "save", "team", "--remote", remote, *extra, env=env)["version"] == 2
    assert pod(server, "list", "--remote", remote, *extra, env=env) == [{"name": "team", "versions": [1, 2]}]
    assert [v["version"] for v in pod(server, "versions", "team", "--remote", remote, *extra, env=env)] == [1, 2]
    inspected = pod(server, "inspect", "team:1", "--remote", remote, *extra, env=env)
    assert inspected["state_hash"] == h and inspected["services"]["ssm"]["resources"] == 3
    server.post("/_localstack/state/reset")
    loaded = pod(server, "load", "team:1", "--remote", remote, *extra, env=env)
    assert loaded["live_hash"] == h and reads(server) == before
    pod(server, "delete", "team:2", "--remote", remote, *extra, env=env)
    assert pod(server, "list", "--remote", remote, *extra, env=env) == [{"name": "team", "versions": [1]}]


def test_file_remote_round_trip(server, tmp_path):
    round_trip(server, f"file://{tmp_path}/remote")


def test_s3rver_round_trip_with_prefix(server, s3rver):
    round_trip(server, "s3://pods/team/pods", ("--endpoint-url", s3rver), env=S3RVER_ENV)


def test_s3_endpoint_from_the_environment(server, s3rver):
    """AWS_ENDPOINT_URL is used when --endpoint-url is not given."""
    populate(server)
    env = {**S3RVER_ENV, "AWS_ENDPOINT_URL": s3rver}
    assert pod(server, "save", "e", "--remote", "s3://pods", env=env)["version"] == 1
    assert pod(server, "list", "--remote", "s3://pods", env=env) == [{"name": "e", "versions": [1]}]


def test_push_and_pull_between_registry_and_remote(server, tmp_path):
    populate(server)
    pod(server, "save", "p")
    remote = f"file://{tmp_path}/remote"
    pushed = pod(server, "push", "p", "--remote", remote)
    assert pushed["version"] == 1 and pushed["local_version"] == 1
    pulled = pod(server, "pull", "p", "--remote", remote)
    assert pulled["remote_version"] == 1
    assert [h["version"] for h in pod(server, "versions", "p")] == [1, 2]
    assert pod(server, "verify", "p:2")["ok"]


def concurrent_pushes(server, remote, n, env=None):
    populate(server)
    pod(server, "save", "c")
    procs = [subprocess.Popen([BIN, "pod", "push", "c", "--remote", *remote, "--json", "--endpoint", server.endpoint],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "DATA_DIR": server.data_dir, **(env or {})}) for _ in range(n)]
    versions = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        versions.append(json.loads(out)["version"])
    return sorted(versions)


def test_concurrent_pushes_get_distinct_versions_on_a_file_remote(server, tmp_path):
    """Eight savers at once: link(2) gives each its own version number, none is overwritten."""
    assert concurrent_pushes(server, [f"file://{tmp_path}/remote"], 8) == list(range(1, 9))


def test_concurrent_pushes_get_distinct_versions_on_s3_with_conditional_writes(server, moto):
    """Against a store that honours If-None-Match: * (moto, AWS), a 412 moves the saver to the next number."""
    assert concurrent_pushes(server, ["s3://pods/c", "--endpoint-url", moto], 8) == list(range(1, 9))


def test_remote_errors_are_one_sentence(server, s3rver, tmp_path):
    populate(server)
    pod(server, "save", "p")
    cases = [
        (["list", "--remote", "ftp://x"], "is not a remote"),
        (["list", "--remote", "file://relative"], "absolute path"),
        (["list", "--remote", "s3://nobucket", "--endpoint-url", s3rver], "does not exist"),
        (["list", "--remote", "s3://pods", "--endpoint-url", "http://127.0.0.1:1"], "cannot reach S3"),
        (["load", "missing", "--remote", "s3://pods", "--endpoint-url", s3rver], "no pod named 'missing'"),
        (["push", "p"], "needs --remote"),
    ]
    for args, sentence in cases:
        r = pod(server, *args, check=False, env=S3RVER_ENV)
        assert r.returncode != 0 and sentence in r.stderr, (args, r.stderr)
        assert r.stderr.count("\n") <= 1


def test_a_damaged_pod_on_a_remote_is_refused(server, tmp_path):
    populate(server)
    remote = tmp_path / "remote"
    pod(server, "save", "p", "--remote", f"file://{remote}")
    f = remote / "p" / "000001.pod"
    data = f.read_bytes()
    f.write_bytes(data[:40] + bytes([data[40] ^ 1]) + data[41:])
    h = server.state_hash()
    r = pod(server, "load", "p", "--remote", f"file://{remote}", check=False)
    assert r.returncode == 1 and "checksum" in r.stderr
    assert server.state_hash() == h


def test_remote_transfers_show_progress_on_a_tty(server, s3rver):
    populate(server)
    pod(server, "save", "p")
    env = {**os.environ, **S3RVER_ENV, "DATA_DIR": server.data_dir}
    rc, shown = run_with_tty_stderr([BIN, "pod", "push", "p", "--remote", "s3://pods", "--endpoint-url", s3rver], env)
    assert rc == 0 and "uploading p:1" in shown and "/s" in shown
    rc, shown = run_with_tty_stderr([BIN, "pod", "pull", "p", "--remote", "s3://pods", "--endpoint-url", s3rver], env)
    assert rc == 0 and "downloading p" in shown and "/s" in shown


@pytest.fixture
def podstack_s3(tmp_path):
    """A second podstack, its own S3 the pod remote (bucket "pods")."""
    from podstack_server import PodstackServer
    s = PodstackServer(tmp_path / "remote-store").start()
    s.client("s3").create_bucket(Bucket="pods")
    yield s
    s.stop()


PODSTACK_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}


def test_podstack_s3_round_trip(server, podstack_s3):
    """podstack's own S3 as the remote: save, list, versions, inspect, load, delete."""
    round_trip(server, "s3://pods/team", ("--endpoint-url", podstack_s3.endpoint), env=PODSTACK_ENV)
    keys = [o["Key"] for o in podstack_s3.client("s3").list_objects_v2(Bucket="pods")["Contents"]]
    assert keys == ["team/team/000001.pod"]


def test_concurrent_pushes_get_distinct_versions_on_podstack_s3(server, podstack_s3):
    """podstack's S3 honours If-None-Match: *, so concurrent savers get versions 1..8, none overwritten."""
    assert concurrent_pushes(server, ["s3://pods/c", "--endpoint-url", podstack_s3.endpoint], 8,
                             env=PODSTACK_ENV) == list(range(1, 9))


def test_pod_with_s3_bodies_moves_between_instances_through_a_remote(server, podstack_s3, tmp_path):
    """A pod holding S3 objects carries their bodies: loaded into a fresh instance, every byte is back."""
    from podstack_server import PodstackServer
    s3 = server.client("s3")
    s3.create_bucket(Bucket="data")
    body = os.urandom(3 * 1024 * 1024 + 17)
    s3.put_object(Bucket="data", Key="big.bin", Body=body)
    s3.put_object(Bucket="data", Key="small.txt", Body=b"hello")
    h = server.state_hash()
    remote = ("--remote", "s3://pods/x", "--endpoint-url", podstack_s3.endpoint)
    assert pod(server, "save", "withs3", *remote, env=PODSTACK_ENV)["state_hash"] == h
    other = PodstackServer(tmp_path / "other").start()
    try:
        loaded = pod(other, "load", "withs3:1", *remote, env=PODSTACK_ENV)
        assert loaded["live_hash"] == h
        got = other.client("s3").get_object(Bucket="data", Key="big.bin")["Body"].read()
        assert got == body
        assert other.client("s3").get_object(Bucket="data", Key="small.txt")["Body"].read() == b"hello"
        other.crash_restart()
        assert other.state_hash() == h
        assert other.client("s3").get_object(Bucket="data", Key="big.bin")["Body"].read() == body
    finally:
        other.stop()
