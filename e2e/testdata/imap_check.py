#!/usr/bin/env python3
"""Check a running mailnet with Python's imaplib (standard library only).

Driven by e2e_imaplib_test.go. The password comes from the environment
variable IMAP_PASSWORD, everything else from the command line. Each check
that passes prints "ok NAME"; the first that fails prints "FAIL NAME: why"
and the script exits with status 1.

For the IDLE check the script prints "IDLING" once the server has accepted
IDLE, then waits for "* N EXISTS": the Go test delivers a message when it
reads that line.
"""

import argparse
import base64
import email
import email.policy
import imaplib
import os
import re
import ssl
import sys
import time


class CheckFailed(Exception):
    pass


def require(cond, why):
    if not cond:
        raise CheckFailed(why)


def ok(typ, data, what):
    require(typ == "OK", f"{what}: {typ} {data!r}")
    return data


def quoted(s):
    require('"' not in s and "\\" not in s, f"cannot quote {s!r}")
    return f'"{s}"'


def literal_of(data):
    """Return the first literal of a FETCH response (imaplib gives
    [(b'1 (BODY[] {n}', b'...'), b')'])."""
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise CheckFailed(f"no literal in FETCH response {data!r}")


def seqs(data):
    return data[0].split() if data and data[0] else []


LIST_RE = re.compile(rb'^\((?P<flags>[^)]*)\) (?:"[^"]*"|NIL) (?P<name>.+)$')


class Checker:
    def __init__(self, args, password):
        self.a = args
        self.password = password
        self.ctx = ssl.create_default_context(cafile=args.cafile)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2

    def run(self):
        checks = [
            self.check_login_disabled_before_tls,
            self.check_starttls_login,
            self.check_imaps_login,
            self.check_list_special_use,
            self.check_select_inbox,
            self.check_search_subject,
            self.check_search_text,
            self.check_fetch_attachment,
            self.check_store_flags,
            self.check_append_drafts,
            self.check_idle,
        ]
        for check in checks:
            name = check.__name__[len("check_"):]
            try:
                check()
            except (CheckFailed, imaplib.IMAP4.error, OSError) as e:
                print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
                return 1
            print(f"ok {name}", flush=True)
        for conn in (self.tls, self.imaps):
            conn.logout()
        print("ok logout", flush=True)
        return 0

    def plain(self):
        return imaplib.IMAP4(self.a.host, self.a.imap_port, timeout=self.a.timeout)

    def check_login_disabled_before_tls(self):
        conn = self.plain()
        try:
            caps = conn.capabilities
            require("STARTTLS" in caps, f"no STARTTLS before TLS: {caps}")
            require("LOGINDISABLED" in caps, f"no LOGINDISABLED before TLS: {caps}")
            try:
                conn.login(self.a.user, self.password)
            except imaplib.IMAP4.error:
                pass
            else:
                raise CheckFailed("LOGIN without TLS succeeded")
        finally:
            conn.shutdown()

    def check_starttls_login(self):
        self.tls = self.plain()
        ok(*self.tls.starttls(ssl_context=self.ctx), "STARTTLS")
        caps = self.tls.capabilities
        require("LOGINDISABLED" not in caps, f"LOGINDISABLED after STARTTLS: {caps}")
        ok(*self.tls.login(self.a.user, self.password), "LOGIN after STARTTLS")

    def check_imaps_login(self):
        self.imaps = imaplib.IMAP4_SSL(self.a.host, self.a.imaps_port,
                                       ssl_context=self.ctx, timeout=self.a.timeout)
        ok(*self.imaps.login(self.a.user, self.password), "LOGIN on IMAPS")

    def check_list_special_use(self):
        data = ok(*self.tls.list(), "LIST")
        boxes = {}
        for line in data:
            m = LIST_RE.match(line)
            require(m, f"LIST line does not parse: {line!r}")
            name = m.group("name").decode()
            if name.startswith('"'):
                name = name[1:-1]
            boxes[name] = m.group("flags").decode().split()
        require("INBOX" in boxes, f"no INBOX in {boxes}")
        uses = {f for flags in boxes.values() for f in flags}
        for want in (r"\Sent", r"\Drafts", r"\Trash", r"\Junk", r"\Archive"):
            require(want in uses, f"no mailbox with {want}: {boxes}")
        self.drafts = next(n for n, f in boxes.items() if r"\Drafts" in f)

    def check_select_inbox(self):
        data = ok(*self.tls.select("INBOX"), "SELECT INBOX")
        n = int(data[0])
        require(n == self.a.inbox_count, f"INBOX has {n} messages, want {self.a.inbox_count}")

    def find_subject(self):
        data = ok(*self.tls.search(None, "SUBJECT", quoted(self.a.subject)), "SEARCH SUBJECT")
        found = seqs(data)
        require(len(found) == 1, f"SEARCH SUBJECT {self.a.subject!r} found {found}, want one")
        return found[0]

    def check_search_subject(self):
        self.seq = self.find_subject()
        data = ok(*self.tls.search(None, "SUBJECT", quoted("no such subject anywhere")), "SEARCH")
        require(seqs(data) == [], f"SEARCH for a missing subject found {data}")

    def check_search_text(self):
        data = ok(*self.tls.search(None, "TEXT", quoted(self.a.text)), "SEARCH TEXT")
        require(seqs(data) == [self.seq], f"SEARCH TEXT {self.a.text!r} found {data}, want [{self.seq!r}]")
        data = ok(*self.tls.search(None, "BODY", quoted(self.a.text)), "SEARCH BODY")
        require(seqs(data) == [self.seq], f"SEARCH BODY {self.a.text!r} found {data}")

    def check_fetch_attachment(self):
        want = open(self.a.attachment, "rb").read()
        data = ok(*self.tls.fetch(self.seq, "(BODYSTRUCTURE)"), "FETCH BODYSTRUCTURE")
        bs = b" ".join(x if isinstance(x, bytes) else b" ".join(x) for x in data).upper()
        require(b'"APPLICATION" "OCTET-STREAM"' in bs, f"BODYSTRUCTURE has no attachment: {data!r}")
        # The part alone, as a client shows an attachment without the
        # whole message: part 2 of our multipart/mixed, still base64.
        part = literal_of(ok(*self.tls.fetch(self.seq, "(BODY.PEEK[2])"), "FETCH BODY[2]"))
        require(base64.b64decode(part) == want, "BODY[2] does not decode to the original file")
        # The whole message, parsed as a mail program would.
        raw = literal_of(ok(*self.tls.fetch(self.seq, "(BODY.PEEK[])"), "FETCH BODY[]"))
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        atts = list(msg.iter_attachments())
        require(len(atts) == 1, f"{len(atts)} attachments, want 1")
        require(atts[0].get_filename() == os.path.basename(self.a.attachment),
                f"attachment named {atts[0].get_filename()!r}")
        require(atts[0].get_content() == want, "attachment differs from the original file")
        flags = ok(*self.tls.fetch(self.seq, "(FLAGS)"), "FETCH FLAGS")
        require(b"\\Seen" not in flags[0], f"BODY.PEEK set \\Seen: {flags}")

    def check_store_flags(self):
        data = ok(*self.tls.store(self.seq, "+FLAGS", r"(\Flagged $e2e)"), "STORE")
        require(b"\\Flagged" in data[0], f"STORE response {data!r}")
        data = ok(*self.tls.fetch(self.seq, "(FLAGS)"), "FETCH FLAGS")
        require(b"\\Flagged" in data[0] and b"$e2e" in data[0], f"flags after STORE: {data!r}")
        data = ok(*self.tls.search(None, "FLAGGED"), "SEARCH FLAGGED")
        require(seqs(data) == [self.seq], f"SEARCH FLAGGED found {data}")
        ok(*self.tls.store(self.seq, "-FLAGS", "($e2e)"), "STORE -FLAGS")
        data = ok(*self.tls.fetch(self.seq, "(FLAGS)"), "FETCH FLAGS")
        require(b"$e2e" not in data[0] and b"\\Flagged" in data[0], f"flags after -FLAGS: {data!r}")

    def check_append_drafts(self):
        draft = (
            "From: {u}\r\nTo: karim.benali@mailnet.test\r\n"
            "Subject: Draft from imaplib\r\nMessage-ID: <draft.{t}@e2e>\r\n"
            "Date: Mon, 02 Jun 2025 09:30:00 +0200\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            "\r\nBrouillon : réunion à 10 h.\r\n"
        ).format(u=self.a.user, t=time.time_ns()).encode()
        typ, data = self.tls.append(self.drafts, r"(\Draft)",
                                    imaplib.Time2Internaldate(time.time()), draft)
        ok(typ, data, "APPEND")
        m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
        require(m, f"APPEND response has no APPENDUID: {data!r}")
        uid = m.group(2).decode()
        ok(*self.tls.select(quoted(self.drafts)), "SELECT Drafts")
        data = ok(*self.tls.uid("FETCH", uid, "(FLAGS BODY.PEEK[])"), "UID FETCH")
        require(literal_of(data) == draft, "draft fetched back differs from the appended bytes")
        require(b"\\Draft" in data[0][0], f"draft flags: {data[0][0]!r}")

    def check_idle(self):
        conn = self.imaps
        n = int(ok(*conn.select("INBOX"), "SELECT INBOX")[0])
        tag = conn._new_tag()
        deadline = time.monotonic() + self.a.timeout

        def readline():
            left = deadline - time.monotonic()
            require(left > 0, "timed out during IDLE")
            conn.sock.settimeout(left)
            line = conn.readline()
            require(line, "connection closed during IDLE")
            return line

        conn.send(tag + b" IDLE\r\n")
        line = readline()
        while not line.startswith(b"+"):
            require(not line.startswith(tag), f"IDLE refused: {line!r}")
            line = readline()
        print("IDLING", flush=True)
        while True:
            line = readline()
            m = re.match(rb"\* (\d+) EXISTS", line)
            if m and int(m.group(1)) > n:
                require(int(m.group(1)) == n + 1, f"{line!r}, want {n + 1} EXISTS")
                break
            require(not line.startswith(tag), f"IDLE ended by the server: {line!r}")
        conn.send(b"DONE\r\n")
        while True:
            line = readline()
            if line.startswith(tag + b" "):
                require(line.split()[1] == b"OK", f"IDLE completion: {line!r}")
                break
        del conn.tagged_commands[tag]
        conn.sock.settimeout(self.a.timeout)
        data = ok(*conn.fetch(str(n + 1), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"), "FETCH")
        require(self.a.idle_subject.encode() in literal_of(data),
                f"new message is not the one delivered during IDLE: {data!r}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--imap-port", type=int, required=True, help="STARTTLS port")
    p.add_argument("--imaps-port", type=int, required=True, help="implicit TLS port")
    p.add_argument("--cafile", required=True, help="the server's self-signed certificate")
    p.add_argument("--user", required=True)
    p.add_argument("--inbox-count", type=int, required=True, help="messages in INBOX at start")
    p.add_argument("--subject", required=True, help="subject of the message with the attachment")
    p.add_argument("--text", required=True, help="a word only in that message's text")
    p.add_argument("--attachment", required=True, help="the attached file, as sent")
    p.add_argument("--idle-subject", required=True, help="subject of the message sent during IDLE")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per network wait")
    args = p.parse_args()
    password = os.environ.get("IMAP_PASSWORD")
    if not password:
        print("FAIL setup: IMAP_PASSWORD is not set", flush=True)
        return 1
    return Checker(args, password).run()


if __name__ == "__main__":
    sys.exit(main())
