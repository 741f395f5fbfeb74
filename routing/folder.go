package routing

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"mailnet/storage"
)

// maxFolderPart bounds, in runes, each name we put into a folder name.
const maxFolderPart = 64

// SubstituteFolder is the folder of a substitute's account that holds the
// mail of the absent counsellor: "Substitute/<local part of absent>".
func SubstituteFolder(absent string) string {
	local := absent
	if at := strings.LastIndexByte(absent, '@'); at >= 0 {
		local = absent[:at]
	}
	return "Substitute/" + FolderPart(local)
}

// DispatchFolder is the folder, in each manager's account of the team,
// where mail to the team's service addresses from unknown or unverified
// senders waits to be assigned: "Dispatch/<team id>".
func DispatchFolder(team string) string { return "Dispatch/" + FolderPart(team) }

// ExpertFolder is the folder of an expert's account that holds copies of a
// linked client's mail: "Linked/<id> <name>", or "Linked/<id>" for a
// client without a name.
func ExpertFolder(c storage.Client) string { return "Linked/" + ClientPart(c) }

// CaseView is the name of the read-only IMAP view of a client's whole
// archived exchange: "Cases/<id> <name>", or "Cases/<id>".
func CaseView(c storage.Client) string { return CaseViewPrefix + ClientPart(c) }

// CaseViewPrefix starts the name of every case view.
const CaseViewPrefix = "Cases/"

// ClientPart names a client in one level of a mailbox name: "<id> <name>",
// or "<id>" for a client without a name.
func ClientPart(c storage.Client) string {
	if n := folderClean(c.Name); n != "" {
		return FolderPart(c.ID + " " + n)
	}
	return FolderPart(c.ID)
}

// FolderPart makes s usable as one level of an IMAP mailbox name: '/'
// (our hierarchy delimiter) and the LIST wildcards '*' and '%' (RFC 9051
// §6.3.9) become '-', control characters and invalid UTF-8 become spaces,
// runs of spaces collapse, and the result is trimmed and cut to 64 runes.
// An empty result is "-".
func FolderPart(s string) string {
	s = folderClean(s)
	if s == "" {
		return "-"
	}
	return s
}

func folderClean(s string) string {
	var b strings.Builder
	space, n := false, 0
	for _, r := range s {
		switch {
		case r == '/' || r == '*' || r == '%':
			r = '-'
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if n == maxFolderPart-1 && space || n == maxFolderPart {
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
