package imapd

import (
	"context"
	"errors"
	"slices"
	"strings"

	"mailnet/auth"
	"mailnet/routing"
	"mailnet/storage"
)

// viewSubs holds a reader's subscription choices on views: true for
// subscribed, false for unsubscribed; a view without a choice is
// subscribed when it is one the reader works with (see listViews), so
// that clients showing only subscribed folders, as Thunderbird does by
// default, show them.
type viewSubs map[string]bool

func (vs viewSubs) subscribed(name string, byDefault bool) bool {
	if on, ok := vs[name]; ok {
		return on
	}
	return byDefault
}

// listEntry is one mailbox LIST may show.
type listEntry struct {
	name       string
	box        storage.Mailbox
	view       view
	subscribed bool
	specialUse string
	noSelect   bool
}

// listViews returns the shared views LIST shows, before pattern matching.
// To keep the listing small with hundreds of colleagues and tens of
// thousands of clients, it holds by default only what a reader works
// with: the colleagues of their own team and of the teams they manage,
// their team's dispatch, the answer repository, and the views they
// subscribed to. A pattern that names more (LIST "" "Shared/ana*") finds
// any colleague in the reader's scope; any view in scope can be selected
// by name whether listed or not.
func (s *session) listViews(ctx context.Context, ref string, patterns []string) ([]listEntry, error) {
	lit := literalPrefix(ref, patterns)
	choices, err := s.srv.deps.Store.ViewSubscriptions(ctx, s.account.ID)
	subs := viewSubs(choices)
	if err != nil {
		return nil, err
	}
	st, err := s.staff(ctx)
	if err != nil {
		return nil, err
	}
	var out []listEntry
	if mayMatch(lit, "Shared") {
		shared, err := s.listShared(ctx, st, lit, subs)
		if err != nil {
			return nil, err
		}
		out = append(out, shared...)
	}
	if mayMatch(lit, "Dispatch") && st.Unit.Team != "" {
		v, err := s.dispatchView(ctx, routing.DispatchFolder(st.Unit.Team))
		if err == nil {
			out = append(out, listEntry{name: "Dispatch", noSelect: true},
				listEntry{name: v.name, box: v.box, view: v, subscribed: subs.subscribed(v.name, true)})
		} else if !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
	}
	if mayMatch(lit, casesRoot) {
		cases, err := s.listCases(ctx, lit, subs)
		if err != nil {
			return nil, err
		}
		out = append(out, cases...)
	}
	if mayMatch(lit, answersRoot) && s.srv.cfg.AnswersAccount != 0 {
		boxes, err := s.srv.deps.Store.Mailboxes(ctx, s.srv.cfg.AnswersAccount)
		if err != nil {
			return nil, err
		}
		rights := auth.AnswersRights(st)
		out = append(out, listEntry{name: answersRoot, noSelect: true})
		for _, m := range boxes {
			if m.Name == "INBOX" {
				continue
			}
			v := view{name: answersPrefix + m.Name, kind: viewAnswers, box: m, rights: rights}
			out = append(out, listEntry{name: v.name, box: m, view: v, subscribed: subs.subscribed(v.name, true)})
		}
	}
	return out, nil
}

// listShared lists colleagues' INBOX and Sent (see listViews).
func (s *session) listShared(ctx context.Context, st auth.Staff, lit string, subs viewSubs) ([]listEntry, error) {
	counsellors, err := s.srv.deps.Store.Counsellors(ctx)
	if err != nil {
		return nil, err
	}
	units := map[string]auth.Unit{}
	var out []listEntry
	for _, c := range counsellors {
		if c.Address == s.account.Address {
			continue
		}
		unit, ok := units[c.Team]
		if !ok {
			if unit, err = s.unitOf(ctx, c.Team); err != nil {
				return nil, err
			}
			units[c.Team] = unit
		}
		if !auth.CanReadColleague(st, unit, s.srv.cfg.ShareScope) {
			continue
		}
		base := sharedPrefix + c.Address
		named := len(lit) > len(sharedPrefix) && (strings.HasPrefix(base, lit) || strings.HasPrefix(lit, base))
		byDefault := c.Team == st.Unit.Team || slices.Contains(st.Manages, c.Team)
		if !byDefault && !named && !subs[base+"/INBOX"] && !subs[base+"/Sent"] {
			continue
		}
		owner, err := s.srv.deps.Store.Account(ctx, c.Address)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, listEntry{name: base, noSelect: true})
		for _, which := range []string{"INBOX", "Sent"} {
			box, err := s.colleagueBox(ctx, owner.ID, which)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			v := view{name: base + "/" + which, kind: viewShared, box: box, owner: owner.Address, team: c.Team,
				rights: auth.ColleagueRights(st, c.Team, which == "INBOX")}
			out = append(out, listEntry{name: v.name, box: box, view: v, subscribed: subs.subscribed(v.name, byDefault)})
		}
	}
	if len(out) > 0 {
		out = append(out, listEntry{name: "Shared", noSelect: true})
	}
	return out, nil
}

// maxCaseMatches bounds the cases a LIST pattern naming a client ID
// prefix returns.
const maxCaseMatches = 200

// listCases lists the case views of the reader's own clients, those they
// subscribed to, and, when the pattern names an ID prefix
// (LIST "" "Cases/J12*"), the clients in scope with that prefix.
func (s *session) listCases(ctx context.Context, lit string, subs viewSubs) ([]listEntry, error) {
	own, err := s.srv.deps.Store.ClientsOf(ctx, s.account.Address)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []listEntry
	add := func(v view, byDefault bool) {
		if !seen[v.client] {
			seen[v.client] = true
			out = append(out, listEntry{name: v.name, box: v.box, view: v, subscribed: subs.subscribed(v.name, byDefault)})
		}
	}
	for _, c := range own { // one's own clients: no access check needed
		v, err := s.caseBoxView(ctx, c)
		if err != nil {
			return nil, err
		}
		add(v, true)
	}
	var names []string
	for sub, on := range subs {
		if on && strings.HasPrefix(sub, routing.CaseViewPrefix) {
			names = append(names, sub)
		}
	}
	if id, _, _ := strings.Cut(strings.TrimPrefix(lit, routing.CaseViewPrefix), " "); len(lit) > len(routing.CaseViewPrefix) && id != "" {
		matches, err := s.srv.deps.Store.ClientsWithPrefix(ctx, id, maxCaseMatches)
		if err != nil {
			return nil, err
		}
		for _, c := range matches {
			names = append(names, routing.CaseView(c))
		}
	}
	for _, name := range names {
		v, err := s.caseView(ctx, name)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		add(v, false)
	}
	if len(out) > 0 {
		out = append(out, listEntry{name: casesRoot, noSelect: true})
	}
	return out, nil
}

// literalPrefix is the longest prefix, before any wildcard, common to
// what the LIST patterns can match; "" when one could match anything.
func literalPrefix(ref string, patterns []string) string {
	var lits []string
	for _, p := range patterns {
		full := ref + p
		if i := strings.IndexAny(full, "*%"); i >= 0 {
			full = full[:i]
		}
		lits = append(lits, full)
	}
	if len(lits) == 0 {
		return ""
	}
	common := lits[0]
	for _, l := range lits[1:] {
		for !strings.HasPrefix(l, common) {
			common = common[:len(common)-1]
		}
	}
	return common
}

// mayMatch reports whether names under root can match patterns whose
// literal prefix is lit.
func mayMatch(lit, root string) bool {
	return strings.HasPrefix(root+"/", lit) || strings.HasPrefix(lit, root+"/") || lit == root
}
