"""The container image end to end: build, run as non-root, HEALTHCHECK, init hooks, docker stop/start
and kill on one volume, the AUTO_LOAD_POD CI flow (docs/ci.md), and the hooks variant running a
LocalStack-style ready.d script (`awslocal …`) unmodified.

Runs when a Docker daemon answers, else is skipped with the reason (ctest shows it as skipped; on
Debian 12, ./tools/docker_setup.sh gets Docker going). The image is built from the podstack binary
this suite just built (tools/docker_image.sh --prebuilt): a runtime image in seconds rather than a
second compile inside `docker build`. The compile-in-Docker path runs with PODSTACK_DOCKER_FULL_BUILD=1.
"""
import json
import os
import subprocess
import time
import uuid

import pytest

from dockerenv import BIN, REPO, build_image, docker, docker_unavailable, poll
from podstack_server import PodstackServer, wait_until  # on sys.path through dockerenv

reason = docker_unavailable()
if reason:
    print(f"SKIPPED docker tests: {reason}")
    pytest.skip(reason, allow_module_level=True)

IMAGE = os.environ.get("PODSTACK_TEST_IMAGE", "podstack:test")


@pytest.fixture(scope="module")
def image():
    return build_image(IMAGE)


@pytest.fixture(scope="module")
def hooks_image():
    return build_image(IMAGE, hooks=True) + "-hooks"


class Container:
    """One container on a loopback-only random host port; removed (with its volume) at the end."""

    def __init__(self, image, volume, mounts=(), env=None):
        self.image, self.volume, self.mounts, self.env = image, volume, list(mounts), dict(env or {})
        self.name = "podstack-test-" + uuid.uuid4().hex[:10]
        self.id = None

    def run(self):
        args = ["run", "-d", "--name", self.name, "-p", "127.0.0.1::4566", "-v", f"{self.volume}:/var/lib/podstack"]
        for src, dst in self.mounts:
            args += ["-v", f"{src}:{dst}:ro"]
        for k, v in self.env.items():
            args += ["-e", f"{k}={v}"]
        self.id = docker(*args, self.image).stdout.strip()
        return self

    def inspect(self):
        return json.loads(docker("inspect", self.name).stdout)[0]

    def wait_healthy(self):
        def healthy():
            st = self.inspect()["State"]
            assert st["Running"], "container exited:\n" + self.logs()
            return st.get("Health", {}).get("Status") == "healthy"
        wait_until(healthy, timeout=90, what=f"{self.name} healthy")
        return self

    @property
    def endpoint(self):
        port = self.inspect()["NetworkSettings"]["Ports"]["4566/tcp"][0]["HostPort"]
        return f"http://127.0.0.1:{port}"

    def client(self, service):
        import boto3.session
        from botocore.config import Config
        return boto3.session.Session().client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                                              aws_access_key_id="test", aws_secret_access_key="test",
                                              config=Config(retries={"total_max_attempts": 1}))

    def get_json(self, path):
        import urllib.request
        with urllib.request.urlopen(self.endpoint + path, timeout=10) as r:
            return json.loads(r.read())

    def exec(self, *args):
        return docker("exec", self.name, *args, check=False)

    def logs(self):
        r = docker("logs", self.name, check=False)
        return r.stdout + r.stderr

    def remove(self):
        docker("rm", "-f", "-v", self.name, check=False)


@pytest.fixture
def volume():
    name = "podstack-test-" + uuid.uuid4().hex[:10]
    docker("volume", "create", name)
    yield name
    docker("volume", "rm", "-f", name, check=False)


@pytest.fixture
def containers():
    made = []
    yield made
    for c in made:
        c.remove()


# A ready.d hook with nothing but bash (the image carries no AWS client):
# an SSM PutParameter over /dev/tcp.
HOOK = r"""#!/bin/bash
set -eu
port=${GATEWAY_LISTEN##*:}
body='{"Name":"/hook/created","Value":"by ready.d","Type":"String"}'
exec 3<>/dev/tcp/127.0.0.1/$port
printf 'POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSSM.PutParameter\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body" >&3
reply=$(cat <&3)
echo "PutParameter answered: ${reply%%$'\r'*}"
# Created now, or by an earlier start (the volume keeps it): both fine.
case "$reply" in "HTTP/1.1 200 "*|*ParameterAlreadyExists*) ;; *) exit 1 ;; esac
"""


# A ready.d hook as LocalStack users write it: awslocal, nothing podstack-specific.
AWSLOCAL_HOOK = r"""#!/bin/bash
set -euo pipefail
awslocal s3 mb s3://hook-bucket
echo "written by a ready.d hook" | awslocal s3 cp - s3://hook-bucket/hello.txt
awslocal sqs create-queue --queue-name hook-queue
awslocal sqs send-message --queue-url "$(awslocal sqs get-queue-url --queue-name hook-queue --query QueueUrl --output text)" \
  --message-body "hello from awslocal"
awslocal ssm put-parameter --name /hook/awslocal --value from-awslocal --type String
awslocal sns create-topic --name hook-topic
"""


def test_hooks_image_runs_a_localstack_style_hook(hooks_image, volume, containers, tmp_path):
    """The -hooks variant has the aws CLI and awslocal on PATH: a ready.d script written for LocalStack runs
    unmodified, the container turns healthy once it is done, and what it made is there from the host."""
    hook = tmp_path / "init" / "ready.d" / "10-awslocal.sh"
    hook.parent.mkdir(parents=True)
    hook.write_text(AWSLOCAL_HOOK)
    hook.chmod(0o755)
    c = Container(hooks_image, volume, mounts=[(tmp_path / "init", "/etc/podstack/init")]).run()
    containers.append(c)
    c.wait_healthy()
    assert c.get_json("/_localstack/init")["scripts"] == [
        {"stage": "READY", "name": "10-awslocal.sh", "state": "SUCCESSFUL"}], c.logs()
    body = c.client("s3").get_object(Bucket="hook-bucket", Key="hello.txt")["Body"].read()
    assert body == b"written by a ready.d hook\n"
    sqs = c.client("sqs")
    msgs = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName="hook-queue")["QueueUrl"])["Messages"]
    assert [m["Body"] for m in msgs] == ["hello from awslocal"]
    assert c.client("ssm").get_parameter(Name="/hook/awslocal")["Parameter"]["Value"] == "from-awslocal"
    assert any(t["TopicArn"].endswith(":hook-topic") for t in c.client("sns").list_topics()["Topics"])

    # Outside hooks (no AWS_ENDPOINT_URL): awslocal's default localhost:4566, then LOCALSTACK_HOST.
    r = c.exec("awslocal", "s3", "ls")
    assert r.returncode == 0 and "hook-bucket" in r.stdout, r
    r = docker("exec", "-e", "LOCALSTACK_HOST=127.0.0.1:4567", c.name, "awslocal", "s3", "ls", check=False)
    assert r.returncode != 0 and "127.0.0.1:4567" in r.stderr, r
    assert c.exec("id", "-u").stdout.strip() == "10001"


def test_image_metadata(image):
    """Non-root, port, volume, health check, the image's defaults, and labels that match the binary."""
    cfg = json.loads(docker("image", "inspect", image).stdout)[0]
    c = cfg["Config"]
    assert c["User"] == "podstack"
    assert "4566/tcp" in c["ExposedPorts"] and "/var/lib/podstack" in c["Volumes"]
    assert c["Healthcheck"]["Test"] == ["CMD", "podstack", "health"]
    env = dict(e.split("=", 1) for e in c["Env"])
    assert env["GATEWAY_LISTEN"] == "0.0.0.0:4566" and env["DATA_DIR"] == "/var/lib/podstack" and env["PERSISTENCE"] == "1"
    built = json.loads(subprocess.run([BIN, "version", "--json"], capture_output=True, text=True).stdout)
    assert c["Labels"]["org.opencontainers.image.version"] == built["version"]
    assert c["Labels"]["org.opencontainers.image.revision"] == built["commit"]
    reported = json.loads(docker("run", "--rm", image, "version", "--json").stdout)
    assert reported == built
    size_mb = cfg["Size"] / 1e6
    print(f"image size: {size_mb:.0f} MB")
    assert size_mb < 100


def test_stop_start_and_kill_keep_state_on_the_volume(image, volume, containers, tmp_path):
    """Healthy only after ready.d; docker stop is a clean, quick exit 0 with a checkpoint; start and a
    kill -9 of the container both come back with every acknowledged write."""
    hook = tmp_path / "init" / "ready.d" / "10-create.sh"
    hook.parent.mkdir(parents=True)
    hook.write_text(HOOK)
    hook.chmod(0o755)
    c = Container(image, volume, mounts=[(tmp_path / "init", "/etc/podstack/init")]).run()
    containers.append(c)
    c.wait_healthy()
    assert c.exec("id", "-u").stdout.strip() == "10001"
    ssm = c.client("ssm")
    assert ssm.get_parameter(Name="/hook/created")["Parameter"]["Value"] == "by ready.d"
    init = c.get_json("/_localstack/init")
    assert init["completed"]["READY"] and init["scripts"] == [{"stage": "READY", "name": "10-create.sh", "state": "SUCCESSFUL"}]
    for i in range(20):
        ssm.put_parameter(Name=f"/docker/{i}", Value=str(i), Type="String")
    before = c.get_json("/_podstack/state")

    t0 = time.monotonic()
    docker("stop", c.name)
    took = time.monotonic() - t0
    st = c.inspect()["State"]
    assert st["ExitCode"] == 0 and took < 8, (st, took)
    logs = c.logs()
    assert "stopped cleanly at sequence" in logs

    docker("start", c.name)
    c.wait_healthy()
    assert c.get_json("/_podstack/state") == before
    assert f"replayed 0 events after checkpoint {before['last_sequence']}" in c.logs()
    ssm = c.client("ssm")
    ssm.put_parameter(Name="/docker/after-restart", Value="acked", Type="String")

    docker("kill", "-s", "KILL", c.name)
    docker("start", c.name)
    c.wait_healthy()
    assert c.client("ssm").get_parameter(Name="/docker/after-restart")["Parameter"]["Value"] == "acked"
    assert c.client("ssm").get_parameter(Name="/docker/19")["Parameter"]["Value"] == "19"


def test_auto_load_pod_ci_flow_in_the_container(image, volume, containers, tmp_path):
    """docs/ci.md: import a pod file into the volume, start with AUTO_LOAD_POD, healthy = loaded,
    `pod verify` reports drift, `pod load` restores, `pod verify` passes, a new version can be saved."""
    native = PodstackServer(tmp_path / "native").start()
    try:
        native.client("ssm").put_parameter(Name="/app/db-url", Value="postgres://db", Type="String")
        native.client("secretsmanager").create_secret(Name="app/key", SecretString="s3cret")
        assert native.post("/_podstack/pods/baseline")[0] == 200
        baseline_hash = native.state_hash()
    finally:
        native.stop()
    pods = tmp_path / "pods"
    pods.mkdir()
    r = subprocess.run([BIN, "pod", "export", "baseline", str(pods / "baseline.pod"), "--data-dir", str(tmp_path / "native")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (pods / "baseline.pod").chmod(0o644)

    docker("run", "--rm", "-v", f"{volume}:/var/lib/podstack", "-v", f"{pods}:/in:ro", image,
           "pod", "import", "/in/baseline.pod", "baseline")
    c = Container(image, volume, env={"AUTO_LOAD_POD": "baseline"}).run()
    containers.append(c)
    c.wait_healthy()
    assert "loaded pod baseline:1" in c.logs()
    assert c.get_json("/_podstack/state")["hash"] == baseline_hash
    assert c.exec("podstack", "pod", "verify", "baseline").returncode == 0

    c.client("ssm").put_parameter(Name="/app/db-url", Value="changed", Type="String", Overwrite=True)
    drift = c.exec("podstack", "pod", "verify", "baseline")
    assert drift.returncode == 1 and "ssm" in drift.stdout
    assert c.exec("podstack", "pod", "load", "baseline").returncode == 0
    assert c.exec("podstack", "pod", "verify", "baseline").returncode == 0
    saved = c.exec("podstack", "pod", "save", "baseline", "-m", "after CI", "--json")
    assert saved.returncode == 0 and json.loads(saved.stdout)["version"] == 2
    assert c.exec("podstack", "health").returncode == 0


@pytest.mark.skipif(os.environ.get("PODSTACK_DOCKER_FULL_BUILD") != "1",
                    reason="compiling podstack inside docker build takes minutes: set PODSTACK_DOCKER_FULL_BUILD=1")
def test_full_image_build_compiles_podstack():
    """The Dockerfile's own build stage (what a user runs): compiles, and the binary reports the commit."""
    tag = "podstack:fullbuild-test"
    r = subprocess.run([os.path.join(REPO, "tools", "docker_image.sh"), "--tag", tag], capture_output=True, text=True,
                       timeout=3600)
    assert r.returncode == 0, r.stdout + r.stderr
    reported = json.loads(docker("run", "--rm", tag, "version", "--json").stdout)
    head = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert reported["commit"].startswith(head)
    assert json.loads(docker("image", "inspect", tag).stdout)[0]["Size"] / 1e6 < 100


def test_older_image_refuses_a_pod_of_a_newer_format(image, volume, containers, tmp_path):
    """Rollback by image tag: a pod written by a newer podstack (here: format field raised past what this
    one reads) is refused with one sentence, by `pod import` and at startup (INIT_PODS_DIR), never misread."""
    native = PodstackServer(tmp_path / "native").start()
    try:
        native.client("ssm").put_parameter(Name="/app/x", Value="1", Type="String")
        assert native.post("/_podstack/pods/p")[0] == 200
    finally:
        native.stop()
    pods = tmp_path / "pods"
    pods.mkdir()
    r = subprocess.run([BIN, "pod", "export", "p", str(pods / "newer.pod"), "--data-dir", str(tmp_path / "native")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    data = bytearray((pods / "newer.pod").read_bytes())
    assert data[:8] == b"PODSTACK"
    data[8:12] = (int.from_bytes(data[8:12], "little") + 1).to_bytes(4, "little")
    (pods / "newer.pod").write_bytes(bytes(data))
    (pods / "newer.pod").chmod(0o644)

    r = docker("run", "--rm", "-v", f"{volume}:/var/lib/podstack", "-v", f"{pods}:/in:ro", image,
               "pod", "import", "/in/newer.pod", "p", check=False)
    assert r.returncode != 0 and "this podstack reads formats up to" in r.stderr and "upgrade podstack" in r.stderr, r
    print("pod import refused:", r.stderr.strip())

    c = Container(image, volume, mounts=[(pods, "/etc/podstack/init/pods")]).run()
    containers.append(c)
    st = poll(lambda: (lambda s: None if s["Running"] else s)(c.inspect()["State"]), 60,
              "the container to refuse the pod and exit")
    logs = c.logs()
    assert st["ExitCode"] != 0 and "newer.pod" in logs and "upgrade podstack" in logs, (st, logs)
