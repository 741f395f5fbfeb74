#!/usr/bin/env python3
"""Check mailnet's read-only shared views with Python's imaplib.

Driven by e2e_caseload_test.go: logs in over implicit TLS as a counsellor
(password in IMAP_PASSWORD) who reads a colleague's INBOX and a client's
case. Each check prints "ok NAME"; the first failure prints "FAIL NAME:
why" and exits with status 1.
"""

import argparse
import imaplib
import os
import ssl
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--colleague", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--subject", required=True)
    a = p.parse_args()
    ctx = ssl.create_default_context(cafile=a.cafile)
    m = imaplib.IMAP4_SSL("127.0.0.1", a.port, ssl_context=ctx, timeout=20)
    step = "login"
    try:
        m.login(a.user, os.environ["IMAP_PASSWORD"])
        print("ok login", flush=True)

        step = "acl-capability"
        typ, caps = m.capability()
        require("ACL" in caps[0].decode().split(), f"no ACL in {caps!r}")
        print("ok acl-capability", flush=True)

        shared = f'"Shared/{a.colleague}/INBOX"'
        step = "list"
        typ, data = m.list('""', "*")
        names = b"\n".join(d for d in data if d).decode()
        require(f"Shared/{a.colleague}/INBOX" in names, f"colleague's INBOX not listed:\n{names}")
        print("ok list", flush=True)

        step = "myrights"
        typ, data = m.myrights(shared)
        require(typ == "OK" and data[0].decode().endswith(" lrs"), f"MYRIGHTS {typ} {data!r}")
        print("ok myrights", flush=True)

        step = "read-colleague"
        typ, data = m.select(shared)
        require(typ == "OK" and int(data[0]) >= 1, f"SELECT {typ} {data!r}")
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        require(typ == "OK" and a.subject.encode() in data[0][1], f"FETCH {typ} {data!r}")
        print("ok read-colleague", flush=True)

        step = "store-refused"
        typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
        require(typ == "NO" and b"NOPERM" in data[0], f"STORE \\Flagged: {typ} {data!r}")
        typ, data = m.store("1", "+FLAGS", "(\\Seen)")
        require(typ == "OK", f"STORE \\Seen (own mark): {typ} {data!r}")
        print("ok store-refused", flush=True)

        step = "expunge-refused"
        typ, data = m.expunge()
        require(typ == "NO" and b"NOPERM" in data[0], f"EXPUNGE: {typ} {data!r}")
        typ, data = m.close()
        require(typ == "OK", f"CLOSE: {typ} {data!r}")
        print("ok expunge-refused", flush=True)

        step = "append-refused"
        typ, data = m.append(shared, None, None, b"Subject: x\r\n\r\nx\r\n")
        require(typ == "NO" and b"NOPERM" in data[0], f"APPEND: {typ} {data!r}")
        print("ok append-refused", flush=True)

        step = "case"
        # The client's mail in this run comes from an unverified sender,
        # so it is not attributed to the case: the view opens, read-only.
        typ, data = m.select(f'"{a.case}"', readonly=True)
        require(typ == "OK", f"SELECT case {typ} {data!r}")
        typ, data = m.myrights(f'"{a.case}"')
        require(typ == "OK" and data[0].decode().endswith(" lrs"), f"MYRIGHTS case {typ} {data!r}")
        print("ok case", flush=True)
        m.logout()
    except (CheckFailed, imaplib.IMAP4.error, OSError) as e:
        print(f"FAIL {step}: {e}", flush=True)
        sys.exit(1)


class CheckFailed(Exception):
    pass


def require(cond, why):
    if not cond:
        raise CheckFailed(why)


if __name__ == "__main__":
    main()
