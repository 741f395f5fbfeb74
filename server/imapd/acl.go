package imapd

import (
	"errors"
	"strings"

	"github.com/emersion/go-imap/v2"

	"mailnet/auth"
)

// The ACL commands of RFC 4314, answered through our command layer
// (cmdconn.go). Rights are not set by users: they follow from roles and
// the caseload (package auth), so SETACL and DELETEACL are refused.

// rightsExtra lists the RFC 4314 rights beyond RFC 2086's that we use,
// for the RIGHTS= capability.
const rightsExtra = "texk"

// aclCommands are the commands the session answers itself.
var aclCommands = map[string]bool{"MYRIGHTS": true, "GETACL": true, "LISTRIGHTS": true, "SETACL": true, "DELETEACL": true}

// handles reports whether the session answers name itself: the ACL
// commands, once logged in.
func (s *session) handles(name string) bool { return s.account != nil && aclCommands[name] }

// run answers an ACL command.
func (s *session) run(tag, name string, args []string) []string {
	want := map[string]int{"MYRIGHTS": 1, "GETACL": 1, "LISTRIGHTS": 2, "SETACL": 3, "DELETEACL": 2}[name]
	if len(args) != want {
		return []string{tag + " BAD Wrong number of arguments"}
	}
	if name == "SETACL" || name == "DELETEACL" {
		return []string{tag + " NO [NOPERM] Rights follow from roles and the caseload; they cannot be changed"}
	}
	mailbox := s.decodeName(args[0])
	v, err := s.rightsView(mailbox)
	if err != nil {
		var ie *imap.Error
		if errors.As(s.fail("acl", err), &ie) {
			return []string{tag + " NO [" + string(ie.Code) + "] " + ie.Text}
		}
		return []string{tag + " NO Temporary server failure, please retry"}
	}
	shown := s.encodeName(mailbox)
	switch name {
	case "MYRIGHTS":
		return []string{"* MYRIGHTS " + shown + " " + string(v.rights), tag + " OK MYRIGHTS completed"}
	case "GETACL":
		line := "* ACL " + shown + " " + quoteString(s.account.Address) + " " + string(v.rights)
		if v.owner != "" && v.owner != s.account.Address {
			line += " " + quoteString(v.owner) + " " + string(auth.RightsOwner)
		}
		return []string{line, tag + " OK GETACL completed"}
	default: // LISTRIGHTS
		id := strings.ToLower(args[1])
		var rights auth.Rights
		switch id {
		case s.account.Address:
			rights = v.rights
		case v.owner:
			rights = auth.RightsOwner
		}
		return []string{"* LISTRIGHTS " + shown + " " + quoteString(args[1]) + " " + quoteString(string(rights)), tag + " OK LISTRIGHTS completed"}
	}
}

// rightsView resolves a mailbox for the ACL commands; the roots of the
// shared trees exist (\Noselect) and can only be looked up.
func (s *session) rightsView(name string) (view, error) {
	switch {
	case name == "Shared" || name == casesRoot || name == answersRoot:
		return view{name: name, rights: "l"}, nil
	case strings.HasPrefix(name, sharedPrefix) && strings.Count(name, "/") == 1:
		return view{name: name, rights: "l"}, nil
	}
	return s.lookup(s.ctx(), name)
}

// decodeName turns a mailbox name as sent by the client into ours:
// modified UTF-7 unless the client enabled UTF-8 (IMAP4rev2 or
// UTF8=ACCEPT).
func (s *session) decodeName(name string) string {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX"
	}
	if s.utf8() {
		return name
	}
	if d, err := decodeUTF7(name); err == nil {
		return d
	}
	return name
}

// encodeName renders a mailbox name for a response.
func (s *session) encodeName(name string) string {
	if !s.utf8() {
		name = encodeUTF7(name)
	}
	return quoteString(name)
}

func (s *session) utf8() bool {
	caps := s.conn.EnabledCaps()
	return caps.Has(imap.CapIMAP4rev2) || caps.Has(imap.CapUTF8Accept)
}
