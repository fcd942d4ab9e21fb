"""Pods end to end: save, load (each strategy), versions, verify and drift, AUTO_LOAD_POD, export/import,
corrupt files, and that a loaded pod replays from the log like any other write."""
import json
import os
import subprocess
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import BIN, PodstackServer, error_code


def pod(server, *args, check=True):
    r = subprocess.run([BIN, "pod", *args, "--endpoint", server.endpoint, "--json"], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "DATA_DIR": server.data_dir})
    if check:
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    return r


def offline(data_dir, *args):
    return subprocess.run([BIN, *args, "--data-dir", data_dir], capture_output=True, text=True, timeout=60)


def populate(server):
    ssm, sm = server.client("ssm"), server.client("secretsmanager")
    ssm.put_parameter(Name="/app/url", Value="https://x", Type="String")
    ssm.put_parameter(Name="/app/key", Value="k", Type="SecureString")
    sm.create_secret(Name="db", SecretString="pw")
    server.client("ssm", region="eu-west-1").put_parameter(Name="/eu", Value="eu", Type="String")


def reads(server):
    ssm, sm = server.client("ssm"), server.client("secretsmanager")
    names = sorted(p["Name"] for p in ssm.describe_parameters()["Parameters"])
    values = {n: ssm.get_parameter(Name=n, WithDecryption=True)["Parameter"]["Value"] for n in names}
    secrets = {s["Name"]: sm.get_secret_value(SecretId=s["Name"])["SecretString"] for s in sm.list_secrets()["SecretList"]}
    eu = sorted(p["Name"] for p in server.client("ssm", region="eu-west-1").describe_parameters()["Parameters"])
    return values, secrets, eu


def test_round_trip_save_reset_load(server):
    """Populate, save, reset, load: the state hash and every read are equal again."""
    populate(server)
    before, h = reads(server), server.state_hash()
    saved = pod(server, "save", "baseline", "-m", "known good")
    assert saved["version"] == 1 and saved["state_hash"] == h and saved["message"] == "known good"
    assert saved["services"]["ssm"]["resources"] == 3 and saved["services"]["secretsmanager"]["resources"] == 1
    server.post("/_localstack/state/reset")
    assert server.state_hash() != h
    loaded = pod(server, "load", "baseline")
    assert loaded["live_hash"] == h
    assert reads(server) == before
    assert pod(server, "verify", "baseline")["ok"] is True


def test_ci_flow_verify_reports_drift_and_load_restores(tmp_path):
    """The acceptance flow: AUTO_LOAD_POD=baseline, write, verify shows drift, load restores, verify passes."""
    seed = PodstackServer(tmp_path / "seed").start()
    populate(seed)
    pod(seed, "save", "baseline")
    seed.stop()
    ci = PodstackServer(tmp_path / "ci", env={"AUTO_LOAD_POD": "baseline"})
    os.makedirs(tmp_path / "ci", exist_ok=True)
    os.rename(tmp_path / "seed" / "pods", tmp_path / "ci" / "pods")
    ci.start()
    try:
        assert any("loaded pod baseline:1" in l for l in ci.log_lines)
        assert pod(ci, "verify", "baseline")["ok"] is True
        ci.client("ssm").put_parameter(Name="/app/url", Value="changed", Type="String", Overwrite=True)
        r = pod(ci, "verify", "baseline", check=False)
        assert r.returncode == 1
        drift = json.loads(r.stdout)
        assert drift["ok"] is False and drift["differing_services"] == ["ssm"]
        assert drift["diff"]["services"] == {"ssm": {"added": [], "removed": [], "changed": [URL_ID]}}
        text = subprocess.run([BIN, "pod", "verify", "baseline", "--endpoint", ci.endpoint], capture_output=True, text=True)
        assert text.returncode == 1 and f"~ {URL_ID}" in text.stdout and "0 added, 0 removed, 1 changed" in text.stdout
        pod(ci, "load", "baseline")
        assert pod(ci, "verify", "baseline")["ok"] is True
        assert ci.client("ssm").get_parameter(Name="/app/url")["Parameter"]["Value"] == "https://x"
    finally:
        ci.stop()


URL_ID = "000000000000/us-east-1//app/url"


def test_diff_between_versions_and_with_live_state(server):
    """pod diff lists resources added, removed and changed per service, between versions and against live state."""
    populate(server)
    pod(server, "save", "p")
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/app/url", Value="changed", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/new", Value="n", Type="String")
    server.client("secretsmanager").delete_secret(SecretId="db", ForceDeleteWithoutRecovery=True)
    expected = {"ssm": {"added": ["000000000000/us-east-1//new"], "removed": [], "changed": [URL_ID]},
                "secretsmanager": {"added": [], "removed": ["000000000000/us-east-1/db"], "changed": []}}
    live = pod(server, "diff", "p", "--live")
    assert live["from"] == "p:1" and live["to"] == "live" and live["services"] == expected
    assert (live["added"], live["removed"], live["changed"]) == (1, 1, 1)
    pod(server, "save", "p")
    between = pod(server, "diff", "p:1", "p:2")
    assert between["services"] == expected and between["to"] == "p:2"
    back = pod(server, "diff", "p:2", "p:1")
    assert back["services"]["ssm"]["removed"] == ["000000000000/us-east-1//new"]
    assert pod(server, "diff", "p", "--live")["same"] is True
    text = subprocess.run([BIN, "pod", "diff", "p:1", "p:2", "--endpoint", server.endpoint], capture_output=True,
                          text=True, env={**os.environ, "DATA_DIR": server.data_dir})
    assert text.returncode == 0, text.stderr
    assert "+ 000000000000/us-east-1//new" in text.stdout and f"~ {URL_ID}" in text.stdout
    assert "- 000000000000/us-east-1/db" in text.stdout
    server.stop()
    offline_live = json.loads(offline(server.data_dir, "pod", "diff", "p:1", "--live", "--json").stdout)
    assert offline_live["services"] == expected
    server.start()


def test_diff_endpoint_between_two_versions(server):
    """GET /_podstack/pods/NAME/diff?version=A&to=B (or to=OTHER:N): the web console's comparison of two versions."""
    populate(server)
    assert server.call_json("POST", "/_podstack/pods/p")[0] == 200
    server.client("ssm").put_parameter(Name="/new", Value="n", Type="String")
    assert server.call_json("POST", "/_podstack/pods/p")[0] == 200
    assert server.call_json("POST", "/_podstack/pods/q")[0] == 200
    status, d = server.call_json("GET", "/_podstack/pods/p/diff?version=1&to=2")
    assert status == 200 and (d["from"], d["to"]) == ("p:1", "p:2")
    assert d["services"] == {"ssm": {"added": ["000000000000/us-east-1//new"], "removed": [], "changed": []}}
    status, back = server.call_json("GET", "/_podstack/pods/q/diff?to=p:1")
    assert status == 200 and back["services"]["ssm"]["removed"] == ["000000000000/us-east-1//new"]
    assert server.call_json("GET", "/_podstack/pods/p/diff?version=2&to=q")[1]["same"] is True
    assert server.call_json("GET", "/_podstack/pods/p/diff?version=1&to=9")[0] == 404
    assert server.call_json("GET", "/_podstack/pods/p/diff?version=1&to=bad%2Fname")[0] == 400


def test_file_endpoint_downloads_a_version(server):
    """GET /_podstack/pods/NAME/file?version=N: the .pod file as it is on disk, as an attachment (the console's export)."""
    populate(server)
    assert server.call_json("POST", "/_podstack/pods/p")[0] == 200
    s3 = server.client("s3")  # a second version of several 256 KiB pieces: streamed, not one string
    s3.create_bucket(Bucket="big")
    s3.put_object(Bucket="big", Key="blob", Body=os.urandom(700 * 1024))
    assert server.call_json("POST", "/_podstack/pods/p")[0] == 200
    assert os.path.getsize(os.path.join(server.data_dir, "pods", "p", "000002.pod")) > 600 * 1024
    for query, version in [("?version=1", 1), ("", 2)]:
        with urllib.request.urlopen(server.endpoint + "/_podstack/pods/p/file" + query) as r:
            body = r.read()
            assert r.headers["Content-Type"] == "application/octet-stream"
            assert r.headers["Content-Disposition"] == f'attachment; filename="p-{version:06d}.pod"'
        with open(os.path.join(server.data_dir, "pods", "p", f"{version:06d}.pod"), "rb") as f:
            assert body == f.read()
    assert server.call_json("GET", "/_podstack/pods/p/file?version=7")[0] == 404
    assert server.call_json("GET", "/_podstack/pods/nope/file")[0] == 404


def test_diff_refuses_bad_arguments(server):
    populate(server)
    pod(server, "save", "p")
    for args, sentence in [(["p"], "two pods"), (["p", "p", "--live"], "either two pods"), (["p", "missing"], "no pod named")]:
        r = pod(server, "diff", *args, check=False)
        assert r.returncode == 1 and sentence in r.stderr and r.stderr.count("\n") == 1


def test_auto_load_failure_stops_startup(tmp_path):
    """A missing pod is a clear startup error and a non-zero exit, never a half-loaded stack."""
    s = PodstackServer(tmp_path / "d", env={"AUTO_LOAD_POD": "nope"})
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert "cannot load pod 'nope'" in str(e.value)


def make_init_dir(tmp_path, damage_second=False):
    """Two pods exported into an init directory: 10-first.pod (/x=a), 20-second.pod (/x=b)."""
    seed = PodstackServer(tmp_path / "seed").start()
    init = tmp_path / "init"
    init.mkdir()
    try:
        ssm = seed.client("ssm")
        for name, value, file in [("first", "a", "10-first.pod"), ("second", "b", "20-second.pod")]:
            ssm.put_parameter(Name="/x", Value=value, Type="String", Overwrite=True)
            pod(seed, "save", name)
            pod(seed, "export", name, str(init / file))
        hashes = {n: pod(seed, "inspect", n)["state_hash"] for n in ("first", "second")}
    finally:
        seed.stop()
    (init / "README.txt").write_text("not a pod: ignored")
    if damage_second:
        data = (init / "20-second.pod").read_bytes()
        (init / "20-second.pod").write_bytes(data[: len(data) // 2])
    return init, hashes


def test_init_pods_dir_loads_in_name_order_before_healthy(tmp_path):
    """Every *.pod in INIT_PODS_DIR is loaded in name order before the server listens; the log names each with its hash."""
    init, hashes = make_init_dir(tmp_path)
    s = PodstackServer(tmp_path / "d", env={"INIT_PODS_DIR": str(init)}).start()
    try:
        loaded = [l for l in s.log_lines if "loaded pod" in l]
        assert len(loaded) == 2 and "first:1" in loaded[0] and "second:1" in loaded[1]
        assert "10-first.pod" in loaded[0] and hashes["second"][:16] in loaded[1]
        assert s.client("ssm").get_parameter(Name="/x")["Parameter"]["Value"] == "b"
        assert s.state_hash() == hashes["second"]
        s.restart()  # the store now holds state: not loaded again
        assert any("not loaded: the store already holds state" in l for l in s.log_lines)
    finally:
        s.stop()


def test_damaged_init_pod_stops_startup_with_nothing_loaded(tmp_path):
    """A damaged pod in the init directory stops startup before any pod is loaded: never a half-loaded stack."""
    init, _ = make_init_dir(tmp_path, damage_second=True)
    s = PodstackServer(tmp_path / "d", env={"INIT_PODS_DIR": str(init)})
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert "20-second.pod is truncated" in str(e.value) and "not starting" in str(e.value)
    assert s.proc is None
    del s.extra_env["INIT_PODS_DIR"]
    s.start()
    try:
        assert s.state()["last_sequence"] == 0  # 10-first.pod was not loaded either
    finally:
        s.stop()


def test_missing_init_pods_dir_is_a_startup_error(tmp_path):
    """An INIT_PODS_DIR that is not there is a misconfiguration: one sentence, exit 1, no server."""
    env = {**os.environ, "INIT_PODS_DIR": str(tmp_path / "nope"), "DATA_DIR": str(tmp_path / "d"),
           "GATEWAY_LISTEN": "127.0.0.1:0"}
    r = subprocess.run([BIN, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "is not a directory; not starting" in r.stderr
    assert "listening on" not in r.stderr


def test_auto_load_skips_a_store_with_state(tmp_path):
    """With PERSISTENCE=1 a restart does not wipe local work unless asked to on every start."""
    s = PodstackServer(tmp_path / "d").start()
    populate(s)
    pod(s, "save", "baseline")
    s.client("ssm").put_parameter(Name="/local/work", Value="keep", Type="String")
    s.stop()
    s.extra_env["AUTO_LOAD_POD"] = "baseline"
    s.start()
    try:
        assert any("not loaded: the store already holds state" in l for l in s.log_lines)
        assert s.client("ssm").get_parameter(Name="/local/work")["Parameter"]["Value"] == "keep"
    finally:
        s.stop()


def test_versions_and_loading_an_older_one(server):
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/v", Value="1", Type="String")
    pod(server, "save", "p")
    ssm.put_parameter(Name="/v", Value="2", Type="String", Overwrite=True)
    assert pod(server, "save", "p")["version"] == 2
    assert [h["version"] for h in pod(server, "versions", "p")] == [1, 2]
    assert pod(server, "inspect", "p:1")["version"] == 1
    pod(server, "load", "p:1")
    assert ssm.get_parameter(Name="/v")["Parameter"]["Value"] == "1"
    assert pod(server, "verify", "p:1")["ok"] and not pod(server, "verify", "p", check=False).returncode == 0


def test_strategies(server):
    """overwrite replaces everything; service-merge only the pod's services; account-region-merge only its partitions."""
    ssm, sm = server.client("ssm"), server.client("secretsmanager")
    ssm.put_parameter(Name="/in-pod", Value="pod", Type="String")
    pod(server, "save", "ssm-only", "--services", "ssm")
    ssm.put_parameter(Name="/later", Value="x", Type="String")
    sm.create_secret(Name="later-secret", SecretString="x")
    west = server.client("ssm", region="eu-west-1")
    west.put_parameter(Name="/west", Value="w", Type="String")

    pod(server, "load", "ssm-only", "--strategy", "account-region-merge")
    assert west.get_parameter(Name="/west")["Parameter"]["Value"] == "w"        # other partition kept
    with pytest.raises(ClientError):
        ssm.get_parameter(Name="/later")                                          # same partition replaced
    assert sm.get_secret_value(SecretId="later-secret")["SecretString"] == "x"   # other service kept

    west.put_parameter(Name="/west2", Value="w", Type="String")
    pod(server, "load", "ssm-only", "--strategy", "service-merge")
    with pytest.raises(ClientError):
        west.get_parameter(Name="/west2")                                         # whole service replaced
    assert sm.get_secret_value(SecretId="later-secret")["SecretString"] == "x"   # other service kept

    pod(server, "save", "everything")
    pod(server, "load", "ssm-only", "--strategy", "overwrite")
    with pytest.raises(ClientError):
        sm.get_secret_value(SecretId="later-secret")                              # overwrite: all services
    pod(server, "load", "everything", "--services", "secretsmanager")
    assert sm.get_secret_value(SecretId="later-secret")["SecretString"] == "x"
    assert ssm.get_parameter(Name="/in-pod")["Parameter"]["Value"] == "pod"


def test_loaded_state_replays_from_the_log(server):
    """PodLoaded keeps the pod's state in the store: kill -9 and a full replay give the same hash."""
    populate(server)
    pod(server, "save", "b")
    server.post("/_localstack/state/reset")
    server.client("ssm").put_parameter(Name="/extra", Value="1", Type="String")
    pod(server, "load", "b", "--strategy", "service-merge")
    h = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == h
    server.stop()
    replay = offline(server.data_dir, "state", "hash", "--from-scratch")
    assert replay.stdout.strip() == h
    server.start()


def test_export_import_delete(server, tmp_path):
    populate(server)
    pod(server, "save", "orig")
    f = str(tmp_path / "orig.pod")
    pod(server, "export", "orig", f)
    pod(server, "delete", "orig")
    assert pod(server, "list") == []
    imported = pod(server, "import", f, "copy")
    assert imported["name"] == "copy" and imported["version"] == 1
    assert pod(server, "verify", "copy")["ok"]


@pytest.mark.parametrize("damage,sentence", [
    (lambda b: b[: len(b) // 2], "truncated"),
    (lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:], "checksum"),
    (lambda b: b"PK\x03\x04" + b[4:], "not a podstack pod file"),
    (lambda b: b[:8] + (99).to_bytes(4, "little") + b[12:], "upgrade podstack"),
])
def test_corrupt_pods_are_refused_and_state_untouched(server, tmp_path, damage, sentence):
    populate(server)
    pod(server, "save", "good")
    path = os.path.join(server.data_dir, "pods", "good", "000001.pod")
    bad = damage(open(path, "rb").read())
    f = str(tmp_path / "bad.pod")
    open(f, "wb").write(bad)
    r = pod(server, "import", f, check=False)
    assert r.returncode == 1 and sentence in r.stderr and r.stderr.count("\n") == 1
    open(path, "wb").write(bad)  # damage the registry copy too
    server.client("ssm").put_parameter(Name="/after", Value="1", Type="String")
    h = server.state_hash()
    r = pod(server, "load", "good", check=False)
    assert r.returncode == 1 and sentence in r.stderr
    assert server.state_hash() == h


def test_bad_names_and_unknown_pods(server):
    r = pod(server, "save", "../escape", check=False)
    assert r.returncode == 1 and "pod name" in r.stderr
    r = pod(server, "load", "missing", check=False)
    assert r.returncode == 1 and "no pod named 'missing'" in r.stderr


def test_offline_save_and_load(tmp_path):
    """Without a server the CLI works on DATA_DIR directly."""
    s = PodstackServer(tmp_path / "d").start()
    populate(s)
    h = s.state_hash()
    s.stop()
    d = str(tmp_path / "d")
    assert offline(d, "pod", "save", "off").returncode == 0
    assert offline(d, "state", "reset").returncode == 0
    assert offline(d, "state", "hash").stdout.strip() != h
    r = offline(d, "pod", "load", "off")
    assert r.returncode == 0, r.stderr
    assert offline(d, "state", "hash").stdout.strip() == h
    assert offline(d, "pod", "verify", "off").returncode == 0


def state_cmd(server, *args):
    r = subprocess.run([BIN, "state", *args, "--endpoint", server.endpoint], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_rollback_by_sequence_and_time_and_forward(server):
    """rollback rebuilds an earlier state; it is an event, so history stays and it can roll forward."""
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/r", Value="1", Type="String")
    h1 = server.state_hash()
    ssm.put_parameter(Name="/r", Value="2", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/other", Value="x", Type="String")
    h3 = server.state_hash()
    assert "rolled back to sequence 1" in state_cmd(server, "rollback", "--to-seq", "1")
    assert server.state_hash() == h1
    assert ssm.get_parameter(Name="/r")["Parameter"]["Value"] == "1"
    state_cmd(server, "rollback", "--to-seq", "3")
    assert server.state_hash() == h3
    events = json.loads(subprocess.run([BIN, "log", "--json", "--endpoint", server.endpoint], capture_output=True,
                                       text=True).stdout)
    assert [e["summary"] for e in events[-2:]] == ["rollback to sequence 1", "rollback to sequence 3"]
    # By time: the state after the last event at or before T (events 1 and 2
    # may share a millisecond, so the expected sequence comes from the log).
    t = events[0]["time"]
    k = max(e["sequence"] for e in events if e["time"] <= t)
    state_cmd(server, "rollback", "--to-time", t)
    assert ssm.get_parameter(Name="/r")["Parameter"]["Value"] == ("1" if k == 1 else "2")
    h = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == h


def test_state_reset_cli(server):
    server.client("ssm").put_parameter(Name="/x", Value="1", Type="String")
    state_cmd(server, "reset")
    with pytest.raises(ClientError):
        server.client("ssm").get_parameter(Name="/x")


def test_save_under_concurrent_writes_is_the_state_at_its_sequence(server):
    """A pod saved while writers run equals the log replayed to the pod's recorded sequence."""
    import threading
    stop = threading.Event()

    def write(t):
        c = server.client("ssm")
        i = 0
        while not stop.is_set():
            i += 1
            c.put_parameter(Name=f"/w{t}/{i}", Value="v", Type="String")

    threads = [threading.Thread(target=write, args=(t,)) for t in range(3)]
    for th in threads:
        th.start()
    try:
        saved = [pod(server, "save", "hot") for _ in range(3)]
    finally:
        stop.set()
        for th in threads:
            th.join()
    server.stop()
    for h in saved:
        r = subprocess.run([BIN, "state", "hash", "--data-dir", server.data_dir, "--to-seq", str(h["source_sequence"])],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == h["state_hash"]
    server.start()


def run_with_tty_stderr(args, env):
    """Runs the CLI with stderr on a pseudo-terminal; (exit code, what the terminal showed)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    p.wait(timeout=60)
    return p.returncode, shown.decode()


def test_progress_on_a_tty_only(server, tmp_path):
    """Save, load, export and import draw bytes and rate on a TTY; nothing with --json or without a TTY; an error
    replaces the progress line."""
    populate(server)
    pod(server, "save", "p")
    env = {**os.environ, "DATA_DIR": server.data_dir}
    f = str(tmp_path / "p.pod")
    rc, shown = run_with_tty_stderr([BIN, "pod", "export", "p", f], env)
    assert rc == 0 and "exporting p" in shown and "/s" in shown and "[####" in shown
    rc, shown = run_with_tty_stderr([BIN, "pod", "import", f, "q"], env)
    assert rc == 0 and "importing" in shown and "/s" in shown
    rc, shown = run_with_tty_stderr([BIN, "pod", "export", "p", f, "--json"], env)
    assert rc == 0 and shown == ""
    piped = subprocess.run([BIN, "pod", "export", "p", f], capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and piped.stderr == ""
    # Through the server: elapsed time while it works, then the pod's size and rate.
    for args, label in [(["save", "on"], "saving on"), (["load", "on"], "loading on")]:
        rc, shown = run_with_tty_stderr([BIN, "pod", *args, "--endpoint", server.endpoint], env)
        assert rc == 0 and label in shown and "/s" in shown
    rc, shown = run_with_tty_stderr([BIN, "pod", "load", "missing", "--endpoint", server.endpoint], env)
    assert rc == 1 and shown.replace("\r\x1b[K", "") == f"podstack: there is no pod named 'missing' in {server.data_dir}/pods\r\n"
    server.stop()
    for args, label in [(["save", "off"], "saving off"), (["load", "off"], "loading off")]:
        rc, shown = run_with_tty_stderr([BIN, "pod", *args, "--data-dir", server.data_dir], env)
        assert rc == 0 and label in shown and "/s" in shown
    server.start()


FORMAT_1_POD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pod_format1.pod")


def test_a_format_1_pod_still_imports_and_loads(server):
    """Pods written before they were streamed (format 1; a committed sample holding SSM, a secret and S3 objects, one
    written ahead in two chunks) still import, load with their S3 bodies, and verify."""
    imported = pod(server, "import", FORMAT_1_POD, "old")
    assert imported["blob_count"] == 3
    loaded = pod(server, "load", "old")
    assert loaded["live_hash"] == imported["state_hash"]
    s3 = server.client("s3")
    assert s3.get_object(Bucket="old", Key="big")["Body"].read() == bytes(range(256)) * 1024 * 5
    assert s3.get_object(Bucket="old", Key="small")["Body"].read() == b"small body"
    assert server.client("ssm").get_parameter(Name="/app/url")["Parameter"]["Value"] == "https://x"
    assert pod(server, "verify", "old")["ok"] is True


def test_a_streamed_pod_round_trips_s3_bodies_across_frames(server):
    """Save streams S3 bodies into the pod in frames and load streams them back: bodies larger than a frame, many
    small ones, and the header's counts, after the live bodies are gone."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="frames")
    big = os.urandom(5 << 20)
    s3.put_object(Bucket="frames", Key="big", Body=big)
    for i in range(300):
        s3.put_object(Bucket="frames", Key=f"small/{i:03d}", Body=f"body {i}".encode() * 50)
    h = server.state_hash()
    saved = pod(server, "save", "frames")
    assert saved["blob_count"] == 5 + 300 and saved["compressed_bytes"] < saved["blob_bytes"] + saved["state_bytes"]
    server.post("/_localstack/state/reset")
    loaded = pod(server, "load", "frames")
    assert loaded["live_hash"] == h
    assert s3.get_object(Bucket="frames", Key="big")["Body"].read() == big
    assert s3.get_object(Bucket="frames", Key="small/123")["Body"].read() == b"body 123" * 50
    assert pod(server, "inspect", "frames")["blob_count"] == 5 + 300


def test_list_versions_inspect_ask_the_running_server_from_any_directory(server, tmp_path):
    """As a newcomer runs it: `pod save` in one directory, `pod list` in another (no DATA_DIR there)
    shows the pod, because both ask the server; an explicit --data-dir stays offline."""
    populate(server)
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "GATEWAY_LISTEN", "AWS_ENDPOINT_URL")}
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()

    def cli(cwd, *args, **extra):
        r = subprocess.run([BIN, "pod", *args, "--json"], cwd=cwd, capture_output=True, text=True, timeout=60,
                           env={**env, **extra})
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    cli(here, "save", "shared", "-m", "first", "--endpoint", server.endpoint)
    cli(here, "save", "shared", "-m", "second", "--endpoint", server.endpoint)
    # From elsewhere, found through --endpoint, or AWS_ENDPOINT_URL as the user's AWS clients are.
    assert cli(there, "list", "--endpoint", server.endpoint) == [{"name": "shared", "versions": [1, 2]}]
    assert cli(there, "list", AWS_ENDPOINT_URL=server.endpoint) == [{"name": "shared", "versions": [1, 2]}]
    versions = cli(there, "versions", "shared", AWS_ENDPOINT_URL=server.endpoint)
    assert [(v["version"], v["message"]) for v in versions] == [(1, "first"), (2, "second")]
    assert cli(there, "inspect", "shared", AWS_ENDPOINT_URL=server.endpoint)["version"] == 2
    h = cli(there, "inspect", "shared:1", "--endpoint", server.endpoint)
    assert (h["version"], h["message"]) == (1, "first")
    assert h == pod(server, "inspect", "shared:1")
    # Errors come from the server, in its words.
    r = subprocess.run([BIN, "pod", "inspect", "shared:9", "--endpoint", server.endpoint], cwd=there, capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 1 and "shared" in r.stderr
    r = subprocess.run([BIN, "pod", "versions", "nope", "--endpoint", server.endpoint], cwd=there, capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 1 and "no pod named 'nope'" in r.stderr
    # --data-dir: offline, that directory only (here: none), even with a server answering.
    assert cli(there, "list", "--data-dir", str(there), "--endpoint", server.endpoint) == []
    assert cli(there, "list", "--data-dir", server.data_dir)[0]["name"] == "shared"
