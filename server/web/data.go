package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"mailnet/stats"
	"mailnet/storage"
)

// errForbidden reports a team or conversation outside the viewer's scope.
var errForbidden = errors.New("outside your scope")

// selection is what a page or API call shows: one team of the viewer's, or
// their whole scope, over a period.
type selection struct {
	Team     string
	From, To string // the dates shown in forms, both included
	Period   stats.Period
}

// selection reads the team, from and to parameters. A team the viewer
// does not manage is errForbidden.
func (s *Server) selection(v *viewer, q url.Values) (selection, error) {
	p, from, to, err := s.period(q)
	if err != nil {
		return selection{}, err
	}
	team := q.Get("team")
	if team != "" && !v.managesTeam(team) {
		return selection{}, fmt.Errorf("team %s: %w", team, errForbidden)
	}
	return selection{Team: team, From: from, To: to, Period: p}, nil
}

// conversations returns the conversations of the selection's counsellors,
// ordered by ID.
func (s *Server) conversations(ctx context.Context, v *viewer, sel selection) ([]storage.Conversation, error) {
	all, err := s.deps.Store.Conversations(ctx, storage.ConversationFilter{Team: sel.Team})
	if err != nil {
		return nil, err
	}
	visible := v.visible(sel.Team)
	return slices.DeleteFunc(all, func(c storage.Conversation) bool {
		_, ok := visible[c.Counsellor]
		return !ok
	}), nil
}

// report computes the statistics of the selection: answers from the
// conversations, message counts from the archive.
func (s *Server) report(ctx context.Context, v *viewer, sel selection) (stats.Report, []storage.Conversation, error) {
	convs, err := s.conversations(ctx, v, sel)
	if err != nil {
		return stats.Report{}, nil, err
	}
	entries, err := s.deps.Store.ArchiveEntries(ctx, storage.ArchiveFilter{From: sel.Period.From, To: sel.Period.To})
	if err != nil {
		return stats.Report{}, nil, err
	}
	visible := v.visible(sel.Team)
	msgs := slices.DeleteFunc(stats.FromArchive(entries), func(m stats.Message) bool {
		_, ok := visible[strings.ToLower(m.Counsellor)]
		return !ok
	})
	rep := stats.Compute(stats.Input{
		Period:           sel.Period,
		Now:              s.now(),
		Calendar:         s.cfg.Calendar,
		Teams:            visible,
		Conversations:    stats.FromStorage(convs),
		Messages:         msgs,
		LowVolumePercent: s.cfg.LowVolumePercent,
	})
	return rep, convs, nil
}

// openRow is one line of the table of open conversations.
type openRow struct {
	ID         uint64 `json:"id"`
	Client     string `json:"client"`
	Counsellor string `json:"counsellor"`
	Subject    string `json:"subject"`
	Opened     string `json:"opened"`
	Due        string `json:"due"`
	Overdue    bool   `json:"overdue"`
	Warned     bool   `json:"warned"`
	Messages   int    `json:"messages"`
}

// openRows returns the open conversations, overdue first, then by due
// time.
func (s *Server) openRows(convs []storage.Conversation) []openRow {
	now := s.now()
	loc := s.cfg.Calendar.Location()
	var open []storage.Conversation
	for _, c := range convs {
		if c.State == storage.ConversationOpen {
			open = append(open, c)
		}
	}
	slices.SortStableFunc(open, func(a, b storage.Conversation) int { return a.Due.Compare(b.Due) })
	rows := make([]openRow, 0, len(open))
	for _, c := range open {
		rows = append(rows, openRow{ID: c.ID, Client: c.Client, Counsellor: c.Counsellor, Subject: c.Subject,
			Opened: c.Opened.In(loc).Format("2006-01-02 15:04"), Due: c.Due.In(loc).Format("2006-01-02 15:04"),
			Overdue: c.Overdue(now), Warned: !c.WarnedAt.IsZero(), Messages: c.Messages})
	}
	return rows
}
