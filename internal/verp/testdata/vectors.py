# The README's sender recipe, run to produce vectors.json for verp_test.go.
# Standard library only. Usage: python3 vectors.py > vectors.json
import base64
import hashlib
import hmac
import json


def b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def return_path(recipient: str, key: bytes, mailbox: str = "bounces@example.com", sep: str = "+") -> str:
    local, domain = mailbox.rsplit("@", 1)
    rcpt = recipient.strip().encode("utf-8").lower()  # bytes.lower(): ASCII letters only
    token = "1" + b32(rcpt + hmac.new(key, b"1" + rcpt, hashlib.sha256).digest()[:10])
    if len(local.encode()) + len(sep) + len(token) > 64:  # too long: a signed reference
        token = "2" + b32(hmac.new(key, b"2" + rcpt, hashlib.sha256).digest()[:10])
    return f"{local}{sep}{token}@{domain}"


KEY = b"0123456789abcdef-test-key-not-secret"
CASES = [
    ("alice@example.com", "bounces@example.com", "+"),
    ("  Bob.Smith@Example.ORG ", "bounces@example.com", "+"),
    ("x@y.z", "b@mail.example.net", "-"),
    ("jürgen@exämple.de", "bounces@example.com", "+"),
    ("a.very.long.recipient.name+newsletter@subdomain.example.co.uk", "bounces@example.com", "+"),
    ("c@d.e", "return-path-for-the-marketing-department-2026@example.com", "+"),
]
print(json.dumps([
    {"key": KEY.decode(), "recipient": r, "mailbox": m, "separator": s, "address": return_path(r, KEY, m, s)}
    for r, m, s in CASES
], indent=1, ensure_ascii=False))
