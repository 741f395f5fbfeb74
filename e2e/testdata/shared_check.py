#!/usr/bin/env python3
"""Check mailnet's shared views with Python's imaplib, over implicit TLS.

Driven by e2e_caseload_test.go; the password comes from IMAP_PASSWORD.
Two scenarios:

  read    a counsellor reads a colleague's INBOX and a client's case:
          read-only, writes refused with NOPERM;
  assign  a manager assigns a dispatched message as a drag and drop in
          Thunderbird does: UID MOVE from Dispatch/<team> into the
          counsellor's shared INBOX.

Each check prints "ok NAME"; the first failure prints "FAIL NAME: why" and
exits with status 1.
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


class Checks:
    def __init__(self, m):
        self.m = m
        self.step = "login"

    def begin(self, name):
        self.step = name

    def ok(self):
        print("ok " + self.step, flush=True)

    def rights(self, mailbox, want):
        typ, data = self.m.myrights(mailbox)
        require(typ == "OK" and data[0].decode().endswith(" " + want), f"MYRIGHTS {mailbox}: {typ} {data!r}")


def read(c, a):
    m = c.m
    c.begin("acl-capability")
    typ, caps = m.capability()
    require("ACL" in caps[0].decode().split(), f"no ACL in {caps!r}")
    c.ok()

    shared = f'"Shared/{a.colleague}/INBOX"'
    c.begin("list")
    typ, data = m.list('""', "*")
    names = b"\n".join(d for d in data if d).decode()
    require(f"Shared/{a.colleague}/INBOX" in names, f"colleague's INBOX not listed:\n{names}")
    c.ok()

    c.begin("myrights")
    c.rights(shared, "lrs")
    c.ok()

    c.begin("read-colleague")
    typ, data = m.select(shared)
    require(typ == "OK" and int(data[0]) >= 1, f"SELECT {typ} {data!r}")
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    require(typ == "OK" and a.subject.encode() in data[0][1], f"FETCH {typ} {data!r}")
    c.ok()

    c.begin("store-refused")
    typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
    require(typ == "NO" and b"NOPERM" in data[0], f"STORE \\Flagged: {typ} {data!r}")
    typ, data = m.store("1", "+FLAGS", "(\\Seen)")
    require(typ == "OK", f"STORE \\Seen (own mark): {typ} {data!r}")
    c.ok()

    c.begin("expunge-refused")
    typ, data = m.expunge()
    require(typ == "NO" and b"NOPERM" in data[0], f"EXPUNGE: {typ} {data!r}")
    typ, data = m.close()
    require(typ == "OK", f"CLOSE: {typ} {data!r}")
    c.ok()

    c.begin("append-refused")
    typ, data = m.append(shared, None, None, b"Subject: x\r\n\r\nx\r\n")
    require(typ == "NO" and b"NOPERM" in data[0], f"APPEND: {typ} {data!r}")
    c.ok()

    # The client's mail in this run comes from an unverified sender, so it
    # is not attributed to the case: the view opens, read-only.
    c.begin("case")
    typ, data = m.select(f'"{a.case}"', readonly=True)
    require(typ == "OK", f"SELECT case {typ} {data!r}")
    c.rights(f'"{a.case}"', "lrs")
    c.ok()


def assign(c, a):
    m = c.m
    target = f'"Shared/{a.colleague}/INBOX"'
    c.begin("rights")
    c.rights(target, "lrsi")
    c.ok()

    c.begin("move")
    typ, data = m.select(f'"{a.dispatch}"')
    require(typ == "OK" and int(data[0]) == 1, f"SELECT dispatch {typ} {data!r}")
    typ, data = m.uid("SEARCH", "ALL")
    uid = data[0].split()[0].decode()
    typ, data = m.uid("MOVE", uid, target)
    require(typ == "OK", f"UID MOVE {typ} {data!r}")
    typ, data = m.select(f'"{a.dispatch}"')
    require(typ == "OK" and int(data[0]) == 0, f"dispatch after the move {typ} {data!r}")
    c.ok()

    c.begin("arrived")
    typ, data = m.select(target, readonly=True)
    require(typ == "OK" and int(data[0]) >= 1, f"SELECT counsellor INBOX {typ} {data!r}")
    typ, data = m.search(None, "HEADER", "X-Mailnet-Route", "assigned")
    require(typ == "OK" and data[0].split(), f"no assigned message in the counsellor's INBOX: {typ} {data!r}")
    c.ok()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["read", "assign"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--colleague", required=True, help="the shared INBOX's owner")
    p.add_argument("--case", help="read: a case view to open")
    p.add_argument("--subject", help="read: the subject in the colleague's INBOX")
    p.add_argument("--dispatch", help="assign: the manager's dispatch folder")
    a = p.parse_args()
    ctx = ssl.create_default_context(cafile=a.cafile)
    m = imaplib.IMAP4_SSL("127.0.0.1", a.port, ssl_context=ctx, timeout=20)
    c = Checks(m)
    try:
        m.login(a.user, os.environ["IMAP_PASSWORD"])
        c.ok()
        {"read": read, "assign": assign}[a.scenario](c, a)
        m.logout()
    except (CheckFailed, imaplib.IMAP4.error, OSError) as e:
        print(f"FAIL {c.step}: {e}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
