"""kill -9 during `pod save` and during `pod load`: afterwards the registry has no broken version and the live
state is either the old or the new one, never a mix.

The kill lands at an exact point through PODSTACK_TEST_HOOK=POINT:ACTION (store/test_hook.h): `kill` makes the
process SIGKILL itself there (the offline CLI), `pause` makes it print "paused at POINT" and wait, and the test
kills it -9 from outside once that line is read (the server). No sleeps, no timing windows.
"""
import json
import os
import signal
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from podstack_server import BIN, PodstackServer  # noqa: E402


def cli(data_dir, *args, hook=None):
    env = {k: v for k, v in os.environ.items() if k != "PODSTACK_TEST_HOOK"}
    if hook:
        env["PODSTACK_TEST_HOOK"] = hook
    return subprocess.run([BIN, *args, "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=120, env=env)


def state_hash(data_dir):
    r = cli(data_dir, "state", "hash")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def registry_is_clean(data_dir, name, versions):
    """Only whole versions are listed, each verifies, and no .partial file survives a registry open."""
    listed = json.loads(cli(data_dir, "pod", "list", "--json").stdout)
    assert listed == ([{"name": name, "versions": versions}] if versions else [])
    for v in versions:
        r = cli(data_dir, "pod", "inspect", f"{name}:{v}", "--json")
        assert r.returncode == 0, r.stderr
    leftovers = [f for root, _, fs in os.walk(os.path.join(data_dir, "pods")) for f in fs if f.endswith(".partial")]
    assert leftovers == []


@pytest.fixture
def data(tmp_path):
    """A DATA_DIR holding some state (written through a real server, then stopped)."""
    s = PodstackServer(tmp_path / "d").start()
    ssm = s.client("ssm")
    for i in range(200):
        ssm.put_parameter(Name=f"/p/{i}", Value="v" * 200, Type="String")
    s.client("secretsmanager").create_secret(Name="db", SecretString="pw")
    s.stop()
    return tmp_path / "d"


@pytest.mark.parametrize("point", ["pod-write-half", "pod-write-fsynced"])
def test_kill9_during_offline_save_leaves_no_broken_version(data, point):
    before = state_hash(data)
    r = cli(data, "pod", "save", "p", hook=f"{point}:kill")
    assert r.returncode == -signal.SIGKILL
    partials = [f for f in os.listdir(data / "pods" / "p") if f.endswith(".partial")]
    assert len(partials) == 1  # the crash really left a half-done file behind...
    registry_is_clean(data, "p", [])  # ...which is never listed, and is removed once its writer is gone
    assert state_hash(data) == before
    assert cli(data, "pod", "save", "p").returncode == 0  # the version number is free again
    registry_is_clean(data, "p", [1])
    assert cli(data, "pod", "verify", "p").returncode == 0


@pytest.mark.parametrize("point,outcome", [("pod-load-checked", "old"), ("pod-load-submitted", "either"),
                                           ("pod-load-committed", "new")])
def test_kill9_during_offline_load_gives_old_or_new_state(data, point, outcome):
    assert cli(data, "pod", "save", "p").returncode == 0
    new = state_hash(data)
    assert cli(data, "state", "reset").returncode == 0
    s = PodstackServer(data).start()
    s.client("ssm").put_parameter(Name="/only/old", Value="x", Type="String")
    s.stop()
    old = state_hash(data)
    r = cli(data, "pod", "load", "p", hook=f"{point}:kill")
    assert r.returncode == -signal.SIGKILL
    after = state_hash(data)
    assert after in {"old": [old], "new": [new], "either": [old, new]}[outcome]
    # A full replay of the log agrees with checkpoint + tail: nothing half-applied is hidden in a checkpoint.
    assert cli(data, "state", "hash", "--from-scratch").stdout.strip() == after
    registry_is_clean(data, "p", [1])


def test_kill9_of_the_server_during_save(tmp_path):
    """The server dies mid-write of the pod file; the CLI reports it (no offline fallback) and the registry stays whole."""
    s = PodstackServer(tmp_path / "d", env={"PODSTACK_TEST_HOOK": "pod-write-half:pause"}).start()
    ssm = s.client("ssm")
    for i in range(200):
        ssm.put_parameter(Name=f"/p/{i}", Value="v" * 200, Type="String")
    before = s.state_hash()
    saver = subprocess.Popen([BIN, "pod", "save", "p", "--endpoint", s.endpoint], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "DATA_DIR": s.data_dir})
    s.wait_for_log("paused at pod-write-half")
    s.kill9()
    out, err = saver.communicate(timeout=60)
    assert saver.returncode == 1 and "did not answer" in err
    del s.extra_env["PODSTACK_TEST_HOOK"]
    s.start()
    try:
        assert s.state_hash() == before
        registry_is_clean(s.data_dir, "p", [])
    finally:
        s.stop()


def test_kill9_of_the_server_during_load(tmp_path):
    """The server dies between handing the PodLoaded event to the log and swapping state: old or new after restart."""
    s = PodstackServer(tmp_path / "d").start()
    ssm = s.client("ssm")
    for i in range(50):
        ssm.put_parameter(Name=f"/p/{i}", Value="v", Type="String")
    subprocess.run([BIN, "pod", "save", "p", "--endpoint", s.endpoint], check=True, capture_output=True,
                   env={**os.environ, "DATA_DIR": s.data_dir})
    new = s.state_hash()
    s.post("/_localstack/state/reset")
    s.client("ssm").put_parameter(Name="/only/old", Value="x", Type="String")
    old = s.state_hash()
    s.stop()
    s.extra_env["PODSTACK_TEST_HOOK"] = "pod-load-submitted:pause"
    s.start()
    loader = subprocess.Popen([BIN, "pod", "load", "p", "--endpoint", s.endpoint], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "DATA_DIR": s.data_dir})
    s.wait_for_log("paused at pod-load-submitted")
    s.kill9()
    loader.communicate(timeout=60)
    assert loader.returncode == 1
    del s.extra_env["PODSTACK_TEST_HOOK"]
    s.start()
    try:
        assert s.state_hash() in (old, new)
        registry_is_clean(s.data_dir, "p", [1])
    finally:
        s.stop()


def test_kill9_during_streamed_load_of_s3_bodies(tmp_path):
    """A load dies after writing some of the pod's S3 bodies into its bulk-load files (pod-load-blobs), before they
    are part of the store: the old state survives, a full replay agrees, the pod then loads whole and the dead
    load's files are gone."""
    data = tmp_path / "d"
    s = PodstackServer(data).start()
    s3 = s.client("s3")
    s3.create_bucket(Bucket="bodies")
    bodies = {f"k{i}": os.urandom(3 << 20) for i in range(4)}  # written ahead in chunks; several blob frames
    bodies["small"] = b"tiny"  # inline with its event
    for k, v in bodies.items():
        s3.put_object(Bucket="bodies", Key=k, Body=v)
    s.stop()
    assert cli(data, "pod", "save", "p").returncode == 0
    new = state_hash(data)
    assert cli(data, "state", "reset").returncode == 0
    old = state_hash(data)
    r = cli(data, "pod", "load", "p", hook="pod-load-blobs:kill")
    assert r.returncode == -signal.SIGKILL
    assert state_hash(data) == old
    assert cli(data, "state", "hash", "--from-scratch").stdout.strip() == old
    r = cli(data, "pod", "load", "p")
    assert r.returncode == 0, r.stderr
    assert state_hash(data) == new
    assert [f for _, _, fs in os.walk(data / "log" / "blob-load") for f in fs] == []
    s.start()
    try:
        s3 = s.client("s3")
        for k, v in bodies.items():
            assert s3.get_object(Bucket="bodies", Key=k)["Body"].read() == v
    finally:
        s.stop()
