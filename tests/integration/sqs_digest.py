"""AWS's documented MD5 of SQS message attributes, written independently of the
server (the SQS and SNS tests compare podstack's MD5OfMessageAttributes with it)."""
import hashlib
import struct


def md5_of_attributes(attrs):
    """attrs: {name: {"DataType", "StringValue" | "BinaryValue" (bytes)}}."""
    def enc(b):
        return struct.pack(">I", len(b)) + b
    buf = b""
    for name in sorted(attrs):
        v = attrs[name]
        buf += enc(name.encode()) + enc(v["DataType"].encode())
        if "BinaryValue" in v:
            buf += b"\x02" + enc(v["BinaryValue"])
        else:
            buf += b"\x01" + enc(v["StringValue"].encode())
    return hashlib.md5(buf).hexdigest()
