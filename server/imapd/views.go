package imapd

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"mailnet/auth"
	"mailnet/routing"
	"mailnet/storage"
)

// What a session sees besides its own mailboxes (see doc.go, "Shared
// views"):
//
//	Shared/<address>/INBOX, Shared/<address>/Sent   a colleague's mail, read-only
//	Dispatch/<team>                                 the team's dispatch, read-only for its counsellors
//	Cases/<client id> <name>                        a client's whole archived exchange, read-only
//	Answers/<theme>                                 the answer repository, written by managers
const (
	sharedPrefix  = "Shared/"
	answersRoot   = "Answers"
	answersPrefix = answersRoot + "/"
	casesRoot     = "Cases"
)

// viewKind says what backs a mailbox as this session sees it.
type viewKind int

const (
	viewOwn      viewKind = iota // one of the session's own mailboxes
	viewShared                   // a colleague's INBOX or Sent
	viewDispatch                 // a team's dispatch mailbox, seen by one of its counsellors
	viewAnswers                  // a folder of the answer repository
	viewCase                     // a client's archived exchange
)

// view is a mailbox as one session sees it.
type view struct {
	name   string
	kind   viewKind
	box    storage.Mailbox // the backing mailbox; unset for viewCase
	owner  string          // the backing mailbox owner's address, for the audit log
	team   string          // viewShared: the owner's team
	client string          // viewCase: the client's ID
	rights auth.Rights
}

// personal reports whether the session reads the view's flags as its
// own; on the other views, only its own \Seen marks are kept, apart.
func (v view) personal() bool { return v.rights.Has("w") }

// seenKey names the view for the reader's own \Seen marks.
func (v view) seenKey() string {
	if v.kind == viewCase {
		return "c/" + v.client
	}
	return "m/" + strconv.FormatUint(v.box.ID, 10)
}

// foreign reports whether reading the view reads someone else's mail,
// which the audit log records.
func (v view) foreign() bool {
	return v.kind == viewShared || v.kind == viewDispatch || v.kind == viewCase
}

// staff describes the session's account for access decisions, from the
// caseload as it is now.
func (s *session) staff(ctx context.Context) (auth.Staff, error) {
	st := auth.Staff{Address: s.account.Address, Role: s.account.Role}
	c, err := s.srv.deps.Store.Counsellor(ctx, s.account.Address)
	switch {
	case err == nil:
		st.Unit, err = s.unitOf(ctx, c.Team)
		if err != nil {
			return st, err
		}
	case !errors.Is(err, storage.ErrNotFound):
		return st, err
	}
	teams, err := s.srv.deps.Store.Teams(ctx)
	if err != nil {
		return st, err
	}
	for _, t := range teams {
		if slices.Contains(t.Managers, s.account.Address) {
			st.Manages = append(st.Manages, t.ID)
		}
	}
	return st, nil
}

// unitOf returns the team and agency of a team ID.
func (s *session) unitOf(ctx context.Context, team string) (auth.Unit, error) {
	t, err := s.srv.deps.Store.Team(ctx, team)
	if errors.Is(err, storage.ErrNotFound) {
		return auth.Unit{Team: team}, nil
	}
	return auth.Unit{Team: team, Agency: t.Agency}, err
}

// lookup resolves a mailbox name to the view this session has of it.
// Names the session may not read are reported as not existing.
func (s *session) lookup(ctx context.Context, name string) (view, error) {
	switch {
	case strings.HasPrefix(name, sharedPrefix):
		return s.sharedView(ctx, name)
	case strings.HasPrefix(name, routing.CaseViewPrefix):
		return s.caseView(ctx, name)
	case strings.HasPrefix(name, answersPrefix):
		return s.answersView(ctx, name)
	}
	box, err := s.srv.deps.Store.Mailbox(ctx, s.account.ID, name)
	if err == nil {
		return view{name: box.Name, kind: viewOwn, box: box, owner: s.account.Address, rights: auth.RightsOwner}, nil
	}
	if errors.Is(err, storage.ErrNotFound) && strings.HasPrefix(name, "Dispatch/") {
		return s.dispatchView(ctx, name)
	}
	return view{}, err
}

// sharedView resolves "Shared/<address>/INBOX" or ".../Sent".
func (s *session) sharedView(ctx context.Context, name string) (view, error) {
	rest := strings.TrimPrefix(name, sharedPrefix)
	addr, which, ok := strings.Cut(rest, "/")
	if !ok || addr == s.account.Address || which != "INBOX" && which != "Sent" {
		return view{}, storage.ErrNotFound
	}
	owner, err := s.srv.deps.Store.Account(ctx, addr)
	if err != nil {
		return view{}, err
	}
	c, err := s.srv.deps.Store.Counsellor(ctx, owner.Address)
	if err != nil {
		return view{}, err // only counsellors' mail is shared
	}
	st, err := s.staff(ctx)
	if err != nil {
		return view{}, err
	}
	unit, err := s.unitOf(ctx, c.Team)
	if err != nil {
		return view{}, err
	}
	if !auth.CanReadColleague(st, unit, s.srv.cfg.ShareScope) {
		return view{}, storage.ErrNotFound
	}
	box, err := s.colleagueBox(ctx, owner.ID, which)
	if err != nil {
		return view{}, err
	}
	return view{name: sharedPrefix + owner.Address + "/" + which, kind: viewShared, box: box,
		owner: owner.Address, team: c.Team, rights: auth.ColleagueRights(st, c.Team, which == "INBOX")}, nil
}

// colleagueBox finds a colleague's INBOX, or their Sent folder: the one
// with the \Sent attribute, else the one named Sent.
func (s *session) colleagueBox(ctx context.Context, account uint64, which string) (storage.Mailbox, error) {
	if which == "INBOX" {
		return s.srv.deps.Store.Mailbox(ctx, account, "INBOX")
	}
	boxes, err := s.srv.deps.Store.Mailboxes(ctx, account)
	if err != nil {
		return storage.Mailbox{}, err
	}
	for _, m := range boxes {
		if m.SpecialUse == string(imap.MailboxAttrSent) {
			return m, nil
		}
	}
	return s.srv.deps.Store.Mailbox(ctx, account, "Sent")
}

// dispatchView resolves "Dispatch/<team>" for a counsellor of that team
// (or an admin) who has no such mailbox: the copy in the account of the
// team's first manager.
func (s *session) dispatchView(ctx context.Context, name string) (view, error) {
	teams, err := s.srv.deps.Store.Teams(ctx)
	if err != nil {
		return view{}, err
	}
	st, err := s.staff(ctx)
	if err != nil {
		return view{}, err
	}
	for _, t := range teams {
		if routing.DispatchFolder(t.ID) != name {
			continue
		}
		if st.Unit.Team != t.ID && st.Role != storage.RoleAdmin {
			return view{}, storage.ErrNotFound
		}
		for _, m := range slices.Sorted(slices.Values(t.Managers)) {
			acc, err := s.srv.deps.Store.Account(ctx, m)
			if err != nil {
				continue
			}
			box, err := s.srv.deps.Store.Mailbox(ctx, acc.ID, name)
			if err == nil {
				return view{name: name, kind: viewDispatch, box: box, owner: acc.Address, team: t.ID, rights: auth.RightsRead}, nil
			}
		}
	}
	return view{}, storage.ErrNotFound
}

// answersView resolves "Answers/<folder>": a mailbox of the answer
// repository's account.
func (s *session) answersView(ctx context.Context, name string) (view, error) {
	if s.srv.cfg.AnswersAccount == 0 {
		return view{}, storage.ErrNotFound
	}
	folder := strings.TrimPrefix(name, answersPrefix)
	if strings.EqualFold(folder, "INBOX") {
		return view{}, storage.ErrNotFound // the account's INBOX is not part of the repository
	}
	box, err := s.srv.deps.Store.Mailbox(ctx, s.srv.cfg.AnswersAccount, folder)
	if err != nil {
		return view{}, err
	}
	st, err := s.staff(ctx)
	if err != nil {
		return view{}, err
	}
	return view{name: answersPrefix + box.Name, kind: viewAnswers, box: box, rights: auth.AnswersRights(st)}, nil
}

// caseView resolves "Cases/<client id>[ <name>]".
func (s *session) caseView(ctx context.Context, name string) (view, error) {
	part := strings.TrimPrefix(name, routing.CaseViewPrefix)
	id, _, _ := strings.Cut(part, " ")
	c, err := s.srv.deps.Store.Client(ctx, id)
	if err != nil {
		return view{}, err
	}
	if part != id && part != routing.ClientPart(c) {
		return view{}, storage.ErrNotFound
	}
	ok, err := s.canReadCase(ctx, c)
	if err != nil || !ok {
		return view{}, errors.Join(err, storage.ErrNotFound)
	}
	return s.caseBoxView(ctx, c)
}

// caseBoxView is the view of c's case, its counters from the archive.
func (s *session) caseBoxView(ctx context.Context, c storage.Client) (view, error) {
	cb, err := s.srv.deps.Store.CaseBox(ctx, c.ID)
	if err != nil {
		return view{}, err
	}
	name := routing.CaseView(c)
	box := storage.Mailbox{Name: name, UIDValidity: cb.UIDValidity, UIDNext: cb.UIDNext, Messages: cb.Messages, Size: cb.Size}
	return view{name: name, kind: viewCase, box: box, client: c.ID, rights: auth.RightsRead}, nil
}

// canReadCase applies the sharing rules to client c's case.
func (s *session) canReadCase(ctx context.Context, c storage.Client) (bool, error) {
	st, err := s.staff(ctx)
	if err != nil {
		return false, err
	}
	unit := auth.Unit{}
	if pc, err := s.srv.deps.Store.Counsellor(ctx, c.Counsellor); err == nil {
		if unit, err = s.unitOf(ctx, pc.Team); err != nil {
			return false, err
		}
	}
	links, err := s.srv.deps.Store.CaseLinks(ctx, c.ID)
	if err != nil {
		return false, err
	}
	linked := slices.ContainsFunc(links, func(l storage.CaseLink) bool { return l.Expert == s.account.Address })
	return c.Counsellor == s.account.Address || auth.CanReadCase(st, unit, linked, s.srv.cfg.ShareScope), nil
}

// reserved reports whether name lies under one of the shared trees, where
// a user cannot make mailboxes of their own.
func reserved(name string) bool {
	for _, root := range []string{"Shared", casesRoot, answersRoot} {
		if name == root || strings.HasPrefix(name, root+"/") {
			return true
		}
	}
	return false
}
