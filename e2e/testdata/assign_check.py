#!/usr/bin/env python3
"""Assign a dispatched message with Python's imaplib, as a manager drags it
in Thunderbird: UID MOVE from Dispatch/<team> into a counsellor's shared
INBOX. Driven by e2e_caseload_test.go; the password comes from
IMAP_PASSWORD. Prints "ok NAME" per check, "FAIL NAME: why" and exit 1 on
the first failure.
"""

import argparse
import imaplib
import os
import ssl
import sys


class CheckFailed(Exception):
    pass


def require(cond, why):
    if not cond:
        raise CheckFailed(why)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--dispatch", required=True)
    p.add_argument("--counsellor", required=True)
    a = p.parse_args()
    ctx = ssl.create_default_context(cafile=a.cafile)
    m = imaplib.IMAP4_SSL("127.0.0.1", a.port, ssl_context=ctx, timeout=20)
    step = "login"
    try:
        m.login(a.user, os.environ["IMAP_PASSWORD"])
        target = f'"Shared/{a.counsellor}/INBOX"'

        step = "rights"
        typ, data = m.myrights(target)
        require(typ == "OK" and data[0].decode().endswith(" lrsi"), f"MYRIGHTS {typ} {data!r}")
        print("ok rights", flush=True)

        step = "move"
        typ, data = m.select(f'"{a.dispatch}"')
        require(typ == "OK" and int(data[0]) == 1, f"SELECT dispatch {typ} {data!r}")
        typ, data = m.uid("SEARCH", "ALL")
        uid = data[0].split()[0].decode()
        typ, data = m.uid("MOVE", uid, target)
        require(typ == "OK", f"UID MOVE {typ} {data!r}")
        typ, data = m.select(f'"{a.dispatch}"')
        require(typ == "OK" and int(data[0]) == 0, f"dispatch after the move {typ} {data!r}")
        print("ok move", flush=True)

        step = "arrived"
        typ, data = m.select(target, readonly=True)
        require(typ == "OK" and int(data[0]) >= 1, f"SELECT counsellor INBOX {typ} {data!r}")
        typ, data = m.search(None, "HEADER", "X-Mailnet-Route", "assigned")
        require(typ == "OK" and data[0].split(), f"no assigned message in the counsellor's INBOX: {typ} {data!r}")
        print("ok arrived", flush=True)
        m.logout()
    except (CheckFailed, imaplib.IMAP4.error, OSError) as e:
        print(f"FAIL {step}: {e}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
