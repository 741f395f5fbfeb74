#!/usr/bin/python3
"""Verifies every DKIM-Signature of a message with dkimpy, an implementation
independent of mailnet's. DNS is answered from a JSON file mapping record
names to TXT values, as `mailnet dkim keygen` printed them.

usage: dkim_verify.py MESSAGE RECORDS.json
Prints "pass <d> <s>" per good signature and exits 1 if any fails or none
is present."""
import json
import re
import sys

import dkim


def main():
    message = open(sys.argv[1], "rb").read()
    records = json.load(open(sys.argv[2]))

    def dnsfunc(name, timeout=5):
        value = records.get(name.decode().rstrip("."))
        return value.encode() if value is not None else None

    count = len(re.findall(rb"(?im)^DKIM-Signature:", message.split(b"\r\n\r\n", 1)[0]))
    if count == 0:
        print("no DKIM-Signature")
        return 1
    verifier = dkim.DKIM(message)
    failed = 0
    for idx in range(count):
        ok = verifier.verify(idx=idx, dnsfunc=dnsfunc)
        sig = dict(verifier.signature_fields)
        d, s = sig.get(b"d", b"?").decode(), sig.get(b"s", b"?").decode()
        print(("pass" if ok else "FAIL"), d, s)
        failed += 0 if ok else 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
