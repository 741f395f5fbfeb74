package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// mbsyncTimeout bounds one mbsync run.
const mbsyncTimeout = time.Minute

// maildirFlags maps IMAP system flags to the letters of a Maildir file
// name's info part (":2,FS"), as mbsync writes them.
var maildirFlags = map[imap.Flag]byte{
	imap.FlagDraft: 'D', imap.FlagFlagged: 'F', imap.FlagAnswered: 'R',
	imap.FlagSeen: 'S', imap.FlagDeleted: 'T',
}

// TestMbsyncPullsWholeAccount fills an account's folders (delivered mail
// with an attachment and 8-bit text, appended drafts and sent mail, a
// nested folder of the user's own, flags), pulls it with mbsync into a
// Maildir over STARTTLS and over implicit TLS, and compares every message
// of every folder. A second STARTTLS run after a new delivery must add it.
//
// Two normalisations, both mbsync's doing (see normalizeMaildir): Maildir
// messages have LF line ends where IMAP has CRLF, so the server's bytes are
// compared after CRLF → LF; and mbsync (isync 1.4) writes an "X-TUID:"
// field as the last header line of every message it copies, pulls
// included, which is removed from the Maildir copy before comparing.
func TestMbsyncPullsWholeAccount(t *testing.T) {
	t.Parallel()
	mbsync := requireTool(t, "mbsync", "isync")
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	const user, password = "sophie.martin@" + testDomain, "mbsync-e2e-password"
	s.addUser(t, ctx, user, password)
	c := s.imapLogin(t, ctx, user, password)
	fillAccount(t, ctx, s, c, user)
	rc := mbsyncConfig{bin: mbsync, server: s, user: user, password: password, home: t.TempDir()}

	starttls := filepath.Join(t.TempDir(), "mail-starttls")
	rc.run(t, ctx, "STARTTLS", starttls)
	compareMaildir(t, c, starttls)

	imaps := filepath.Join(t.TempDir(), "mail-imaps")
	rc.run(t, ctx, "IMAPS", imaps)
	compareMaildir(t, c, imaps)

	late := testMessage{From: "late@" + remoteDomain, To: user, Subject: "Arrived after the first sync", Text: "Sync me too."}
	if err := s.deliverMX(t, ctx, late.From, []string{user}, late.bytes()); err != nil {
		t.Fatal(err)
	}
	rc.run(t, ctx, "STARTTLS", starttls)
	compareMaildir(t, c, starttls)
}

// fillAccount puts mail in several folders of user, with flags.
func fillAccount(t *testing.T, ctx context.Context, s *server, c *imapclient.Client, user string) {
	t.Helper()
	from := "sender@" + remoteDomain
	inbox := [][]byte{
		testMessage{From: from, To: user, Subject: "Plain", Text: "Just text."}.bytes(),
		testMessage{From: from, To: user, Subject: "With attachment", Text: "See attached.",
			AttachmentName: "scan.png", Attachment: binaryFile(3, 40_000)}.bytes(),
		[]byte("From: " + from + "\r\nTo: " + user + "\r\nSubject: =?UTF-8?Q?R=C3=A9union?=\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n" +
			"\r\nRéunion jeudi à 14 h, salle « Érable ».\r\n"),
	}
	for _, m := range inbox {
		if err := s.deliverMX(t, ctx, from, []string{user}, m); err != nil {
			t.Fatal(err)
		}
	}
	waitForMessages(t, ctx, c, "INBOX", len(inbox))
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for seq, flag := range map[uint32]imap.Flag{1: imap.FlagSeen, 2: imap.FlagFlagged} {
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{flag}}
		if err := c.Store(imap.SeqSetNum(seq), store, nil).Close(); err != nil {
			t.Fatalf("store %s: %v", flag, err)
		}
	}
	for _, name := range []string{"Projets", "Projets/Budget"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	appends := []struct {
		mailbox string
		flags   []imap.Flag
		subject string
	}{
		{"Sent", []imap.Flag{imap.FlagSeen}, "Sent by me"},
		{"Drafts", []imap.Flag{imap.FlagDraft}, "Unfinished"},
		{"Archive", []imap.Flag{imap.FlagSeen, imap.FlagAnswered}, "Old and answered"},
		{"Projets/Budget", nil, "Budget 2026"},
	}
	for _, a := range appends {
		msg := testMessage{From: user, To: "friend@" + remoteDomain, Subject: a.subject, Text: "Appended."}.bytes()
		cmd := c.Append(a.mailbox, int64(len(msg)), &imap.AppendOptions{Flags: a.flags, Time: time.Now()})
		if _, err := cmd.Write(msg); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatalf("append to %s: %v", a.mailbox, err)
		}
	}
}

// mbsyncConfig writes mbsync configurations for one account.
type mbsyncConfig struct {
	bin            string
	server         *server
	user, password string
	home           string // HOME for mbsync, holding the configuration
}

// run pulls the whole account into the Maildir tree dir with tlsType
// "STARTTLS" (IMAP port) or "IMAPS" (IMAPS port).
func (m mbsyncConfig) run(t *testing.T, ctx context.Context, tlsType, dir string) {
	t.Helper()
	major, minor := m.version(t, ctx)
	far, near, tlsKey := "Far", "Near", "TLSType"
	if major == 1 && minor < 5 {
		tlsKey = "SSLType" // renamed in isync 1.5
	}
	if major == 1 && minor < 4 {
		far, near = "Master", "Slave" // renamed in isync 1.4
	}
	port := m.server.port("imap")
	if tlsType == "IMAPS" {
		port = m.server.port("imaps")
	}
	rc := fmt.Sprintf(`IMAPAccount mailnet
Host 127.0.0.1
Port %s
User %s
Pass %s
%s %s
SystemCertificates no
CertificateFile %s

IMAPStore server
Account mailnet

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel account
%s :server:
%s :local:
Patterns *
Create %s
Sync Pull
Expunge None
SyncState *
`, port, m.user, m.password, tlsKey, tlsType, m.server.certFile(), dir, dir, far, near, near)
	if err := os.MkdirAll(dir, 0o700); err != nil { // mbsync does not create its Path
		t.Fatal(err)
	}
	path := filepath.Join(m.home, "mbsyncrc-"+tlsType)
	if err := os.WriteFile(path, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, mbsyncTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, m.bin, "--config", path, "--all")
	cmd.Env = []string{"HOME=" + m.home, "PATH=" + os.Getenv("PATH")}
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mbsync over %s: %v\n%s\nconfiguration:\n%s", tlsType, err, out, strings.ReplaceAll(rc, m.password, "…"))
	}
	t.Logf("mbsync over %s:\n%s", tlsType, out)
}

// version returns the major and minor version of mbsync ("isync 1.4.4").
func (m mbsyncConfig) version(t *testing.T, ctx context.Context) (major, minor int) {
	t.Helper()
	out, err := exec.CommandContext(ctx, m.bin, "--version").Output()
	if err != nil {
		t.Fatalf("mbsync --version: %v", err)
	}
	v := regexp.MustCompile(`(\d+)\.(\d+)`).FindStringSubmatch(string(out))
	if v == nil {
		t.Fatalf("mbsync --version printed %q", out)
	}
	major, _ = strconv.Atoi(v[1])
	minor, _ = strconv.Atoi(v[2])
	return major, minor
}

// maildirMessage is one message file of a Maildir.
type maildirMessage struct {
	flags string // the letters after ":2,"
	data  []byte
}

// compareMaildir checks that the Maildir tree dir holds exactly the
// server's folders, and in each exactly the server's messages, with the
// same bytes (CRLF → LF) and the same system flags.
func compareMaildir(t *testing.T, c *imapclient.Client, dir string) {
	t.Helper()
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		if slices.Contains(b.Attrs, imap.MailboxAttrNoSelect) {
			continue // a parent of shared views ("Answers"), holding no mail
		}
		names = append(names, b.Mailbox)
		server := fetchAll(t, c, b.Mailbox)
		local := readMaildir(t, filepath.Join(dir, filepath.FromSlash(b.Mailbox)))
		if len(local) != len(server) {
			t.Errorf("%s: %d messages in the Maildir, %d on the server", b.Mailbox, len(local), len(server))
		}
		byContent := map[[32]byte][]maildirMessage{}
		for _, l := range local {
			k := sha256.Sum256(normalizeMaildir(l.data))
			byContent[k] = append(byContent[k], l)
		}
		for _, sm := range server {
			k := sha256.Sum256(bytes.ReplaceAll(sm.Raw, []byte("\r\n"), []byte("\n")))
			if len(byContent[k]) == 0 {
				t.Errorf("%s: UID %d (%d bytes) has no identical copy in the Maildir", b.Mailbox, sm.UID, len(sm.Raw))
				continue
			}
			l := byContent[k][0]
			byContent[k] = byContent[k][1:]
			if want := maildirInfo(sm); l.flags != want {
				t.Errorf("%s: UID %d has Maildir flags %q, want %q (server flags %v)", b.Mailbox, sm.UID, l.flags, want, sm.Flags)
			}
		}
	}
	got := maildirFolders(t, dir)
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("Maildir folders %v, server mailboxes %v", got, names)
	}
}

// tuidField is the header field mbsync adds to each message it copies, to
// find it again if the run is interrupted: "X-TUID: " and 12 base64
// characters.
var tuidField = regexp.MustCompile(`\nX-TUID: [A-Za-z0-9+/]{12}\n\n`)

// normalizeMaildir undoes what mbsync changes in a message it stores: it
// removes the X-TUID field when it is the last one of the header. Nothing
// else is touched, so any other difference fails the comparison.
func normalizeMaildir(data []byte) []byte {
	end := bytes.Index(data, []byte("\n\n"))
	if end < 0 {
		return data
	}
	head := data[:end+2]
	if loc := tuidField.FindIndex(head); loc != nil && loc[1] == len(head) {
		return slices.Concat(data[:loc[0]+1], data[loc[1]-1:])
	}
	return data
}

// maildirInfo returns the Maildir flag letters of a server message, sorted.
func maildirInfo(m storedMessage) string {
	var letters []byte
	for f, l := range maildirFlags {
		if m.hasFlag(f) {
			letters = append(letters, l)
		}
	}
	slices.Sort(letters)
	return string(letters)
}

// readMaildir returns the messages in dir's cur and new subdirectories.
func readMaildir(t *testing.T, dir string) []maildirMessage {
	t.Helper()
	var out []maildirMessage
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Errorf("Maildir %s: %v", dir, err)
			continue
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			_, info, _ := strings.Cut(e.Name(), ":2,")
			out = append(out, maildirMessage{flags: info, data: data})
		}
	}
	return out
}

// maildirFolders returns the mailbox names of the Maildir tree dir: every
// directory with a cur subdirectory, relative, with "/" separators.
func maildirFolders(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if _, err := os.Stat(filepath.Join(path, "cur")); err == nil {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
