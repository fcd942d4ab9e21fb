"""KMS end to end: keys of every generated KeySpec, real cryptography checked from outside
(signatures verified and RSA ciphertexts made with python3-cryptography against GetPublicKey),
ciphertexts that survive restart, kill -9 and a pod round trip, the encryption context, wrong
and damaged ciphertexts, disabled keys, the deletion window and rotation on podstack's clock,
aliases, tags, policies, grants, and key material kept out of the log's rendering.

The client is built from podstack's pinned model (server/protocol/models/kms.json, botocore
1.43): Debian's botocore 1.29 lacks RotateKeyOnDemand and ListKeyRotations.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess

import boto3.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from podstack_server import BIN, REPO, error_code as code


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    target = d / "kms" / "2014-11-01"
    target.mkdir(parents=True)
    shutil.copy(os.path.join(REPO, "server", "protocol", "models", "kms.json"), target / "service-2.json")
    return str(d)


def client(server, model_dir, region="us-east-1"):
    session = boto3.session.Session()
    session._session.get_component("data_loader").search_paths.insert(0, model_dir)
    return session.client("kms", endpoint_url=server.endpoint, region_name=region,
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def kms(server, model_dir):
    return client(server, model_dir)


def err(call, *args, **kw):
    with pytest.raises(ClientError) as e:
        call(*args, **kw)
    return code(e)


def failure(call, *args, **kw):
    with pytest.raises(ClientError) as e:
        call(*args, **kw)
    return code(e), e.value.response["Error"]["Message"]


def clock(server, advance):
    status, _ = server.call_json("POST", "/_podstack/clock", {"advance": advance})
    assert status == 200


def pod(server, *args):
    r = subprocess.run([BIN, "pod", *args, "--endpoint", server.endpoint, "--json"], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "DATA_DIR": server.data_dir})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


CTX = {"purpose": "test", "app": "podstack"}


def test_symmetric_round_trip_survives_restart_kill9_and_a_pod(server, kms, model_dir):
    key = kms.create_key(Description="data")["KeyMetadata"]
    assert key["KeySpec"] == "SYMMETRIC_DEFAULT" and key["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert key["Arn"] == f"arn:aws:kms:us-east-1:000000000000:key/{key['KeyId']}"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key["KeyId"])
    enc = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret bytes", EncryptionContext=CTX)
    assert enc["KeyId"] == key["Arn"] and enc["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = enc["CiphertextBlob"]
    assert b"secret bytes" not in blob

    def decrypt(k):
        # No KeyId: the blob names its key.
        out = k.decrypt(CiphertextBlob=blob, EncryptionContext=CTX)
        assert out["KeyId"] == key["Arn"]
        return out["Plaintext"]

    assert decrypt(kms) == b"secret bytes"
    h = server.state_hash()
    server.restart()
    assert decrypt(client(server, model_dir)) == b"secret bytes"
    server.crash_restart()
    assert decrypt(client(server, model_dir)) == b"secret bytes"
    assert server.state_hash() == h
    pod(server, "save", "keys")
    server.post("/_localstack/state/reset")
    assert err(client(server, model_dir).decrypt, CiphertextBlob=blob, EncryptionContext=CTX) == "InvalidCiphertextException"
    pod(server, "load", "keys")
    assert decrypt(client(server, model_dir)) == b"secret bytes"
    assert server.state_hash() == h


def test_encryption_context_is_bound(kms):
    k = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=k, Plaintext=b"x", EncryptionContext={"a": "1", "b": "2"})["CiphertextBlob"]
    # The order of the members does not matter; every member and value does.
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"b": "2", "a": "1"})["Plaintext"] == b"x"
    for bad in [{"a": "1", "b": "3"}, {"a": "1"}, {}, {"a": "1", "b": "2", "c": "3"}]:
        assert err(kms.decrypt, CiphertextBlob=blob, EncryptionContext=bad) == "InvalidCiphertextException"
    assert err(kms.decrypt, CiphertextBlob=blob) == "InvalidCiphertextException"


def test_ciphertext_of_another_key_truncated_or_damaged(server, kms, model_dir):
    a = kms.create_key()["KeyMetadata"]["KeyId"]
    b = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=a, Plaintext=b"payload")["CiphertextBlob"]
    # AWS: the KeyId of a Decrypt must be the key that encrypted.
    assert err(kms.decrypt, CiphertextBlob=blob, KeyId=b) == "IncorrectKeyException"
    assert kms.decrypt(CiphertextBlob=blob, KeyId=a)["Plaintext"] == b"payload"
    for damaged in [blob[:-1], blob[:20], blob[:-5] + bytes([blob[-5] ^ 1]) + blob[-4:], b"garbage" * 10, b"\x01"]:
        assert err(kms.decrypt, CiphertextBlob=damaged) == "InvalidCiphertextException"
    # A ciphertext of a key in another Region is not one this Region can open.
    other = client(server, model_dir, "eu-west-1")
    k2 = other.create_key()["KeyMetadata"]["KeyId"]
    foreign = other.encrypt(KeyId=k2, Plaintext=b"eu")["CiphertextBlob"]
    assert err(kms.decrypt, CiphertextBlob=foreign) == "InvalidCiphertextException"
    assert other.decrypt(CiphertextBlob=foreign)["Plaintext"] == b"eu"


def test_re_encrypt_moves_a_ciphertext_to_another_key_and_context(kms):
    a = kms.create_key()["KeyMetadata"]
    b = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=a["KeyId"], Plaintext=b"move me", EncryptionContext=CTX)["CiphertextBlob"]
    out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=CTX, DestinationKeyId=b["KeyId"],
                         DestinationEncryptionContext={"new": "ctx"})
    assert out["SourceKeyId"] == a["Arn"] and out["KeyId"] == b["Arn"]
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"new": "ctx"})["Plaintext"] == b"move me"
    assert err(kms.re_encrypt, CiphertextBlob=blob, DestinationKeyId=b["KeyId"]) == "InvalidCiphertextException"


def test_disabled_key_refuses_cryptography_until_enabled(server, kms, model_dir):
    k = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=k, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=k)
    server.crash_restart()
    kms = client(server, model_dir)
    md = kms.describe_key(KeyId=k)["KeyMetadata"]
    assert md["KeyState"] == "Disabled" and md["Enabled"] is False
    assert err(kms.encrypt, KeyId=k, Plaintext=b"x") == "DisabledException"
    assert err(kms.decrypt, CiphertextBlob=blob) == "DisabledException"
    assert err(kms.generate_data_key, KeyId=k, KeySpec="AES_256") == "DisabledException"
    kms.enable_key(KeyId=k)
    server.restart()
    kms = client(server, model_dir)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_deletion_window_on_the_clock(server, kms, model_dir):
    k = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=k)
    blob = kms.encrypt(KeyId=k, Plaintext=b"x")["CiphertextBlob"]
    assert err(kms.schedule_key_deletion, KeyId=k, PendingWindowInDays=6) == "ValidationException"
    out = kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=7)
    assert out["KeyState"] == "PendingDeletion" and out["PendingWindowInDays"] == 7
    md = kms.describe_key(KeyId=k)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and md["DeletionDate"] == out["DeletionDate"]
    assert err(kms.encrypt, KeyId=k, Plaintext=b"x") == "KMSInvalidStateException"
    assert err(kms.decrypt, CiphertextBlob=blob) == "KMSInvalidStateException"
    assert err(kms.schedule_key_deletion, KeyId=k) == "KMSInvalidStateException"
    clock(server, "6d")
    # Cancelled inside the window: back, Disabled, as AWS leaves it.
    kms.cancel_key_deletion(KeyId=k)
    server.crash_restart()
    kms = client(server, model_dir)
    assert kms.describe_key(KeyId=k)["KeyMetadata"]["KeyState"] == "Disabled"
    assert err(kms.cancel_key_deletion, KeyId=k) == "KMSInvalidStateException"
    kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=7)
    since = server.state()["last_sequence"] + 1
    clock(server, "7d")
    clock(server, "1h")
    assert err(kms.describe_key, KeyId=k) == "NotFoundException"
    assert kms.list_aliases()["Aliases"] == []  # the key's aliases go with it
    fresh = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=fresh)  # the name is free again
    # An event of the clock's due work deletes it, with no request naming it.
    status, log = server.call_json("GET", f"/_podstack/log?since={since}&service=kms&operation=DueWork&wait=30")
    assert status == 200 and [e["summary"] for e in log["events"]] == [f"key={k} deleted"]
    server.crash_restart()
    kms = client(server, model_dir)
    assert err(kms.describe_key, KeyId=k) == "NotFoundException"
    assert err(kms.decrypt, CiphertextBlob=blob) == "InvalidCiphertextException"
    assert [(a["AliasName"], a["TargetKeyId"]) for a in kms.list_aliases()["Aliases"]] == [("alias/doomed", fresh)]
    assert [x["KeyId"] for x in kms.list_keys()["Keys"]] == [fresh]


def test_rotation_keeps_old_ciphertexts_decryptable(server, kms, model_dir):
    k = kms.create_key()["KeyMetadata"]["KeyId"]
    old = kms.encrypt(KeyId=k, Plaintext=b"before", EncryptionContext=CTX)["CiphertextBlob"]
    first_material = kms.describe_key(KeyId=k)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert kms.rotate_key_on_demand(KeyId=k)["KeyId"] == k
    new = kms.encrypt(KeyId=k, Plaintext=b"after", EncryptionContext=CTX)["CiphertextBlob"]
    assert kms.describe_key(KeyId=k)["KeyMetadata"]["CurrentKeyMaterialId"] != first_material
    rotations = kms.list_key_rotations(KeyId=k)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
    server.crash_restart()
    kms = client(server, model_dir)
    assert kms.decrypt(CiphertextBlob=old, EncryptionContext=CTX)["Plaintext"] == b"before"
    assert kms.decrypt(CiphertextBlob=new, EncryptionContext=CTX)["Plaintext"] == b"after"
    # Automatic rotation comes due on the clock.
    kms.enable_key_rotation(KeyId=k, RotationPeriodInDays=90)
    st = kms.get_key_rotation_status(KeyId=k)
    assert st["KeyRotationEnabled"] is True and st["RotationPeriodInDays"] == 90
    since = server.state()["last_sequence"] + 1
    clock(server, "91d")
    status, log = server.call_json("GET", f"/_podstack/log?since={since}&service=kms&operation=DueWork&wait=30")
    assert status == 200 and len(log["events"]) == 1 and "AUTOMATIC" in log["events"][0]["summary"]
    assert [r["RotationType"] for r in kms.list_key_rotations(KeyId=k)["Rotations"]] == ["ON_DEMAND", "AUTOMATIC"]
    assert kms.decrypt(CiphertextBlob=old, EncryptionContext=CTX)["Plaintext"] == b"before"
    kms.disable_key_rotation(KeyId=k)
    server.restart()
    kms = client(server, model_dir)
    assert kms.get_key_rotation_status(KeyId=k)["KeyRotationEnabled"] is False
    asym = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert err(kms.rotate_key_on_demand, KeyId=asym) == "UnsupportedOperationException"
    assert err(kms.enable_key_rotation, KeyId=asym) == "UnsupportedOperationException"


SIGNING = [
    ("RSA_2048", ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
                  "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"]),
    ("RSA_3072", ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_512"]),
    ("ECC_NIST_P256", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", ["ECDSA_SHA_384"]),
    ("ECC_NIST_P521", ["ECDSA_SHA_512"]),
    ("ECC_SECG_P256K1", ["ECDSA_SHA_256"]),
]
HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def openssl_verify(public_der, algorithm, message, signature):
    """Raises cryptography's InvalidSignature unless `signature` is a valid one of `message`."""
    pub = serialization.load_der_public_key(public_der)
    h = HASHES[algorithm[-3:]]()
    if algorithm.startswith("ECDSA"):
        pub.verify(signature, message, ec.ECDSA(h))
    elif algorithm.startswith("RSASSA_PSS"):
        pub.verify(signature, message, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
    else:
        pub.verify(signature, message, padding.PKCS1v15(), h)


@pytest.mark.parametrize("spec,algorithms", SIGNING, ids=[s for s, _ in SIGNING])
def test_sign_with_podstack_verify_with_openssl(kms, spec, algorithms):
    md = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert md["SigningAlgorithms"] and set(algorithms) <= set(md["SigningAlgorithms"])
    pub = kms.get_public_key(KeyId=md["KeyId"])
    assert pub["KeySpec"] == spec and pub["KeyUsage"] == "SIGN_VERIFY"
    der = pub["PublicKey"]
    message = b"the message to sign"
    for algorithm in algorithms:
        sig = kms.sign(KeyId=md["KeyId"], Message=message, SigningAlgorithm=algorithm)["Signature"]
        openssl_verify(der, algorithm, message, sig)
        assert kms.verify(KeyId=md["KeyId"], Message=message, Signature=sig, SigningAlgorithm=algorithm)["SignatureValid"]
        assert err(kms.verify, KeyId=md["KeyId"], Message=b"another", Signature=sig,
                   SigningAlgorithm=algorithm) == "KMSInvalidSignatureException"
        # MessageType DIGEST: the message is the digest, of the algorithm's length.
        digest = getattr(hashlib, "sha" + algorithm[-3:])(message).digest()
        dsig = kms.sign(KeyId=md["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm)["Signature"]
        openssl_verify(der, algorithm, message, dsig)
        assert err(kms.sign, KeyId=md["KeyId"], Message=digest[:-1], MessageType="DIGEST",
                   SigningAlgorithm=algorithm) == "ValidationException"
    other = "ECDSA_SHA_256" if spec.startswith("RSA") else "RSASSA_PSS_SHA_256"
    assert err(kms.sign, KeyId=md["KeyId"], Message=message, SigningAlgorithm=other) == "InvalidKeyUsageException"
    arn = md["Arn"]
    assert failure(kms.encrypt, KeyId=md["KeyId"], Plaintext=b"x") == (
        "InvalidKeyUsageException", f"{arn} key usage is SIGN_VERIFY which is not valid for Encrypt.")
    assert failure(kms.generate_mac, KeyId=md["KeyId"], Message=b"x", MacAlgorithm="HMAC_SHA_256") == (
        "InvalidKeyUsageException", f"{arn} key usage is SIGN_VERIFY which is not valid for GenerateMac.")


def test_derive_shared_secret_matches_ecdh_outside(server, kms, model_dir):
    md = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    assert md["KeyAgreementAlgorithms"] == ["ECDH"]
    kms_pub = serialization.load_der_public_key(kms.get_public_key(KeyId=md["KeyId"])["PublicKey"])
    mine = ec.generate_private_key(ec.SECP256R1())
    der = mine.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    out = kms.derive_shared_secret(KeyId=md["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=der)
    assert out["SharedSecret"] == mine.exchange(ec.ECDH(), kms_pub) and out["KeyId"] == md["Arn"]
    other_curve = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert err(kms.derive_shared_secret, KeyId=md["KeyId"], KeyAgreementAlgorithm="ECDH",
               PublicKey=other_curve) == "ValidationException"
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert err(kms.derive_shared_secret, KeyId=signing, KeyAgreementAlgorithm="ECDH",
               PublicKey=der) == "InvalidKeyUsageException"
    assert err(kms.create_key, KeySpec="ECC_SECG_P256K1", KeyUsage="KEY_AGREEMENT") == "ValidationException"
    server.crash_restart()
    again = client(server, model_dir).derive_shared_secret(KeyId=md["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=der)
    assert again["SharedSecret"] == out["SharedSecret"]


def test_rsa_encryption_with_oaep(server, kms, model_dir):
    md = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    assert md["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    k = md["KeyId"]
    pub = serialization.load_der_public_key(kms.get_public_key(KeyId=k)["PublicKey"])
    for algorithm, h in [("RSAES_OAEP_SHA_1", hashes.SHA1), ("RSAES_OAEP_SHA_256", hashes.SHA256)]:
        ct = kms.encrypt(KeyId=k, Plaintext=b"rsa secret", EncryptionAlgorithm=algorithm)["CiphertextBlob"]
        assert kms.decrypt(KeyId=k, CiphertextBlob=ct, EncryptionAlgorithm=algorithm)["Plaintext"] == b"rsa secret"
        # Encrypted outside podstack with the public key, decrypted inside.
        outside = pub.encrypt(b"from outside", padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None))
        assert kms.decrypt(KeyId=k, CiphertextBlob=outside, EncryptionAlgorithm=algorithm)["Plaintext"] == b"from outside"
    assert err(kms.decrypt, KeyId=k, CiphertextBlob=ct[:-1], EncryptionAlgorithm="RSAES_OAEP_SHA_256") == "InvalidCiphertextException"
    assert failure(kms.encrypt, KeyId=k, Plaintext=b"x" * 191, EncryptionAlgorithm="RSAES_OAEP_SHA_256") == (
        "ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.")
    assert err(kms.encrypt, KeyId=k, Plaintext=b"x") == "InvalidKeyUsageException"  # SYMMETRIC_DEFAULT
    server.crash_restart()
    kms = client(server, model_dir)
    assert kms.decrypt(KeyId=k, CiphertextBlob=ct, EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"] == b"rsa secret"


def test_hmac_keys(server, kms, model_dir):
    for bits in ["224", "256", "384", "512"]:
        k = kms.create_key(KeySpec=f"HMAC_{bits}", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
        assert k["MacAlgorithms"] == [f"HMAC_SHA_{bits}"]
        mac = kms.generate_mac(KeyId=k["KeyId"], Message=b"m", MacAlgorithm=f"HMAC_SHA_{bits}")["Mac"]
        assert len(mac) == int(bits) // 8
        assert kms.verify_mac(KeyId=k["KeyId"], Message=b"m", Mac=mac, MacAlgorithm=f"HMAC_SHA_{bits}")["MacValid"]
        assert err(kms.verify_mac, KeyId=k["KeyId"], Message=b"n", Mac=mac,
                   MacAlgorithm=f"HMAC_SHA_{bits}") == "KMSInvalidMacException"
    assert failure(kms.generate_mac, KeyId=k["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256") == (
        "InvalidKeyUsageException", "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_512.")
    sym = kms.create_key()["KeyMetadata"]["Arn"]
    assert failure(kms.verify, KeyId=sym, Message=b"m", Signature=b"s", SigningAlgorithm="ECDSA_SHA_256") == (
        "InvalidKeyUsageException", f"{sym} key usage is ENCRYPT_DECRYPT which is not valid for Verify.")
    server.crash_restart()
    kms = client(server, model_dir)
    assert kms.generate_mac(KeyId=k["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_512")["Mac"] == mac


def test_create_key_validation(kms):
    assert err(kms.create_key, KeyUsage="SIGN_VERIFY") == "ValidationException"
    # AWS's recorded messages (LocalStack's snapshots of AWS, and a recording of CreateKey errors).
    assert failure(kms.create_key, KeySpec="HMAC_256") == (
        "ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
    assert failure(kms.create_key, KeySpec="HMAC_256", KeyUsage="ENCRYPT_DECRYPT") == (
        "ValidationException", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256")
    assert err(kms.create_key, KeySpec="ECC_SECG_P256K1", KeyUsage="ENCRYPT_DECRYPT") == "ValidationException"
    assert err(kms.create_key, KeySpec="RSA_2048", CustomerMasterKeySpec="RSA_2048") == "ValidationException"
    assert err(kms.create_key, Policy="{not json") == "MalformedPolicyDocumentException"
    assert failure(kms.describe_key, KeyId="not-a-key") == ("NotFoundException", "Invalid keyId 'not-a-key'")
    missing = "11111111-2222-3333-4444-555555555555"
    assert failure(kms.describe_key, KeyId=missing) == (
        "NotFoundException", f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist")
    assert failure(kms.describe_key, KeyId=f"arn:aws:kms:eu-west-1:000000000000:key/{missing}") == (
        "NotFoundException", "Invalid arn eu-west-1")
    assert err(kms.describe_key, KeyId="alias/none") == "NotFoundException"
    assert kms.list_keys()["Keys"] == []  # nothing was created


def test_aliases(server, kms, model_dir):
    a = kms.create_key()["KeyMetadata"]
    b = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=a["KeyId"])
    assert err(kms.create_alias, AliasName="alias/app", TargetKeyId=b["KeyId"]) == "AlreadyExistsException"
    assert err(kms.create_alias, AliasName="alias/aws/s3", TargetKeyId=a["KeyId"]) == "NotAuthorizedException"
    assert failure(kms.create_alias, AliasName="app2", TargetKeyId=a["KeyId"]) == (
        "ValidationException", 'Alias must start with the prefix "alias/". Please see '
        "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
    assert err(kms.create_alias, AliasName="alias/x", TargetKeyId="alias/app") == "ValidationException"
    assert err(kms.create_alias, AliasName="alias/x", TargetKeyId="11111111-2222-3333-4444-555555555555") == "NotFoundException"
    blob = kms.encrypt(KeyId="alias/app", Plaintext=b"via alias")["CiphertextBlob"]
    alias_arn = "arn:aws:kms:us-east-1:000000000000:alias/app"
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == a["KeyId"]
    kms.update_alias(AliasName="alias/app", TargetKeyId=b["Arn"])
    for restart in [server.restart, server.crash_restart]:  # from a checkpoint, and replaying the log
        restart()
        kms = client(server, model_dir)
        [entry] = kms.list_aliases()["Aliases"]
        assert entry["AliasName"] == "alias/app" and entry["TargetKeyId"] == b["KeyId"] and entry["AliasArn"] == alias_arn
        assert kms.list_aliases(KeyId=a["KeyId"])["Aliases"] == []
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"via alias"  # the blob names key a
    kms.delete_alias(AliasName="alias/app")
    assert err(kms.delete_alias, AliasName="alias/app") == "NotFoundException"
    server.restart()
    assert client(server, model_dir).list_aliases()["Aliases"] == []


def test_tags_policy_and_description(server, kms, model_dir):
    k = kms.create_key(Tags=[{"TagKey": "env", "TagValue": "dev"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=k, Tags=[{"TagKey": "team", "TagValue": "a"}, {"TagKey": "env", "TagValue": "prod"}])
    kms.untag_resource(KeyId=k, TagKeys=["team"])
    assert err(kms.tag_resource, KeyId=k, Tags=[{"TagKey": "aws:x", "TagValue": "v"}]) == "TagException"
    policy = json.loads(kms.get_key_policy(KeyId=k, PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::000000000000:root"}
    assert kms.list_key_policies(KeyId=k)["PolicyNames"] == ["default"]
    new_policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                                    "Action": "kms:*", "Resource": "*"}]})
    kms.put_key_policy(KeyId=k, PolicyName="default", Policy=new_policy)
    assert err(kms.put_key_policy, KeyId=k, PolicyName="default", Policy="[1,") == "MalformedPolicyDocumentException"
    kms.update_key_description(KeyId=k, Description="described")
    server.crash_restart()
    kms = client(server, model_dir)
    assert kms.list_resource_tags(KeyId=k)["Tags"] == [{"TagKey": "env", "TagValue": "prod"}]
    assert kms.get_key_policy(KeyId=k, PolicyName="default")["Policy"] == new_policy
    assert kms.describe_key(KeyId=k)["KeyMetadata"]["Description"] == "described"


def test_data_keys_and_random(kms):
    k = kms.create_key()["KeyMetadata"]
    dk = kms.generate_data_key(KeyId=k["KeyId"], KeySpec="AES_256", EncryptionContext=CTX)
    assert len(dk["Plaintext"]) == 32 and dk["KeyId"] == k["Arn"]
    assert kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext=CTX)["Plaintext"] == dk["Plaintext"]
    assert len(kms.generate_data_key(KeyId=k["KeyId"], KeySpec="AES_128")["Plaintext"]) == 16
    assert len(kms.generate_data_key(KeyId=k["KeyId"], NumberOfBytes=7)["Plaintext"]) == 7
    assert err(kms.generate_data_key, KeyId=k["KeyId"]) == "ValidationException"
    assert err(kms.generate_data_key, KeyId=k["KeyId"], KeySpec="AES_256", NumberOfBytes=32) == "ValidationException"
    wp = kms.generate_data_key_without_plaintext(KeyId=k["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in wp and len(kms.decrypt(CiphertextBlob=wp["CiphertextBlob"])["Plaintext"]) == 32
    for spec in ["RSA_2048", "ECC_NIST_P256"]:
        pair = kms.generate_data_key_pair(KeyId=k["KeyId"], KeyPairSpec=spec)
        priv = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
        assert priv.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo) == pair["PublicKey"]
        assert kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"] == pair["PrivateKeyPlaintext"]
    wp = kms.generate_data_key_pair_without_plaintext(KeyId=k["KeyId"], KeyPairSpec="ECC_NIST_P384")
    assert "PrivateKeyPlaintext" not in wp and wp["KeyPairSpec"] == "ECC_NIST_P384"
    r1, r2 = kms.generate_random(NumberOfBytes=1024)["Plaintext"], kms.generate_random(NumberOfBytes=1024)["Plaintext"]
    assert len(r1) == 1024 and r1 != r2
    assert err(kms.generate_random, NumberOfBytes=1025) == "ValidationException"
    assert err(kms.encrypt, KeyId=k["KeyId"], Plaintext=b"x" * 4097) == "ValidationException"


def test_cryptographic_operations_are_reads(server, kms):
    k = kms.create_key()["KeyMetadata"]["KeyId"]
    s = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    before = server.state()
    blob = kms.encrypt(KeyId=k, Plaintext=b"x")["CiphertextBlob"]
    kms.decrypt(CiphertextBlob=blob)
    kms.generate_data_key(KeyId=k, KeySpec="AES_256")
    kms.generate_random(NumberOfBytes=8)
    kms.sign(KeyId=s, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    kms.describe_key(KeyId=k)
    assert server.state() == before


def test_grants_are_recorded(server, kms, model_dir):
    k = kms.create_key()["KeyMetadata"]
    role = "arn:aws:iam::000000000000:role/app"
    g = kms.create_grant(KeyId=k["KeyId"], GranteePrincipal=role, RetiringPrincipal=role, Name="g1",
                         Operations=["Encrypt", "Decrypt"], Constraints={"EncryptionContextSubset": {"a": "b"}})
    assert re.fullmatch(r"[0-9a-f]{64}", g["GrantId"]) and g["GrantToken"]
    again = kms.create_grant(KeyId=k["KeyId"], GranteePrincipal=role, RetiringPrincipal=role, Name="g1",
                             Operations=["Encrypt", "Decrypt"], Constraints={"EncryptionContextSubset": {"a": "b"}})
    assert again["GrantId"] == g["GrantId"]  # idempotent by name
    g2 = kms.create_grant(KeyId=k["KeyId"], GranteePrincipal=role, Operations=["GenerateDataKey"])
    server.crash_restart()
    kms = client(server, model_dir)
    grants = kms.list_grants(KeyId=k["KeyId"])["Grants"]
    assert [x["GrantId"] for x in grants] == [g["GrantId"], g2["GrantId"]]
    assert grants[0]["Constraints"] == {"EncryptionContextSubset": {"a": "b"}} and grants[0]["KeyId"] == k["Arn"]
    assert [x["GrantId"] for x in kms.list_retirable_grants(RetiringPrincipal=role)["Grants"]] == [g["GrantId"]]
    kms.retire_grant(GrantToken=g["GrantToken"])
    assert err(kms.retire_grant, GrantToken=g["GrantToken"]) == "InvalidGrantTokenException"
    kms.revoke_grant(KeyId=k["KeyId"], GrantId=g2["GrantId"])
    assert err(kms.revoke_grant, KeyId=k["KeyId"], GrantId=g2["GrantId"]) == "InvalidGrantIdException"
    server.restart()
    assert client(server, model_dir).list_grants(KeyId=k["KeyId"])["Grants"] == []


def test_list_keys_pages(kms):
    ids = sorted(kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5))
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == ids
    seen, marker = [], None
    while True:
        page = kms.list_keys(Limit=2, **({"Marker": marker} if marker else {}))
        seen += [k["KeyId"] for k in page["Keys"]]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert seen == ids
    assert err(kms.list_keys, Marker="bogus") == "InvalidMarkerException"


def test_key_material_is_not_in_the_log(server, kms):
    """The log's rendering (GET /_podstack/log, `podstack log --json`) names keys, never their material."""
    specs = [{}, {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
             {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}]
    ids = [kms.create_key(**s)["KeyMetadata"]["KeyId"] for s in specs]
    kms.rotate_key_on_demand(KeyId=ids[0])
    rsa_pub = kms.get_public_key(KeyId=ids[2])["PublicKey"]
    events = [e for e in server.get_json("/_podstack/log")["events"] if e["service"] == "kms"]
    assert len(events) == 5
    cli = subprocess.run([BIN, "log", "--endpoint", server.endpoint, "--json"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "DATA_DIR": server.data_dir})
    assert cli.returncode == 0 and ids[0] in cli.stdout, cli.stderr
    for text in [json.dumps(events), cli.stdout]:
        # Nothing opaque: no run of base64 or hex longer than a key id's parts.
        assert not re.search(r"[A-Za-z0-9+/=]{40,}", text.replace("-", " "))
        assert base64.b64encode(rsa_pub)[:40].decode() not in text
    assert [e["summary"] for e in events][:2] == [f"key={ids[0]} spec=SYMMETRIC_DEFAULT usage=ENCRYPT_DECRYPT created",
                                                   f"key={ids[1]} spec=HMAC_256 usage=GENERATE_VERIFY_MAC created"]


def test_dry_run_and_operations_podstack_lacks(kms):
    k = kms.create_key()["KeyMetadata"]["KeyId"]
    assert err(kms.encrypt, KeyId=k, Plaintext=b"x", DryRun=True) == "DryRunOperationException"
    assert err(kms.create_grant, KeyId=k, GranteePrincipal="p", Operations=["Encrypt"], DryRun=True) == "DryRunOperationException"
    assert kms.list_grants(KeyId=k)["Grants"] == []
    # In the model, not in podstack: AWS's NotImplemented shape, nothing recorded.
    with pytest.raises(ClientError) as e:
        kms.get_parameters_for_import(KeyId=k, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err(kms.create_key, KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY") == "UnsupportedOperationException"
    assert err(kms.create_key, Origin="EXTERNAL") == "UnsupportedOperationException"


def test_seeded_key_ids_repeat(tmp_path):
    """With PODSTACK_SEED the same requests make the same key ids (the seeded id generator)."""
    from podstack_server import PodstackServer
    ids = []
    for run in range(2):
        s = PodstackServer(tmp_path / f"data{run}", env={"PODSTACK_SEED": "42"}).start()
        try:
            c = s.client("kms")
            ids.append([c.create_key()["KeyMetadata"]["KeyId"] for _ in range(2)])
        finally:
            s.stop()
    assert ids[0] == ids[1] and ids[0][0] != ids[0][1]


def test_bad_input_to_every_operation_is_a_client_error(server, kms):
    """Every operation of the model, given nothing, wrong ids, garbage blobs and ids of keys of the wrong kind,
    answers without a server error: a 4xx in AWS's shape (501 for the ones podstack lacks), or a 200 where the
    input happens to be valid; the server stays up and its state replays."""
    import urllib.error
    import urllib.request
    with open(os.path.join(REPO, "server", "protocol", "models", "kms.json")) as f:
        ops = sorted(json.load(f)["operations"])
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    sig = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    garbage = base64.b64encode(b"\x01\x24" + b"z" * 80).decode()
    bodies = [{}, {"KeyId": "nope", "CiphertextBlob": garbage, "Plaintext": garbage, "Message": garbage},
              {"KeyId": sig, "CiphertextBlob": garbage, "Plaintext": garbage, "Message": garbage,
               "Signature": garbage, "Mac": garbage, "SigningAlgorithm": "ECDSA_SHA_256", "MacAlgorithm": "HMAC_SHA_256",
               "KeySpec": "AES_256", "KeyPairSpec": "RSA_2048", "NumberOfBytes": 8, "DestinationKeyId": sig},
              {"KeyId": sym, "AliasName": "alias/aws/x", "TargetKeyId": sym, "GrantId": "g", "GrantToken": "t",
               "RetiringPrincipal": "p", "Policy": "{", "PolicyName": "default", "Tags": [{"TagKey": "aws:a", "TagValue": "v"}],
               "TagKeys": ["a"], "PendingWindowInDays": 400, "RotationPeriodInDays": 5, "EncryptionContext": {"a": 1}}]
    for op in ops:
        for body in bodies:
            req = urllib.request.Request(server.endpoint + "/", data=json.dumps(body).encode(), method="POST", headers={
                "X-Amz-Target": "TrentService." + op, "Content-Type": "application/x-amz-json-1.1",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kms/aws4_request, "
                                 "SignedHeaders=host, Signature=x"})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status, answer = r.status, json.loads(r.read() or b"{}")
            except urllib.error.HTTPError as e:
                status, answer = e.code, json.loads(e.read() or b"{}")
            assert status in (200, 501) or 400 <= status < 500, (op, body, status, answer)
            assert status == 200 or "__type" in answer, (op, answer)
    h = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == h
