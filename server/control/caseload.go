package control

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailnet/storage"
)

// CaseloadOps are the caseload operations of the command-line tools:
// imports from the planning software, assignments, absences, case links
// and the change log. Every change is recorded in the store's change log
// under the actor the caller names.
type CaseloadOps interface {
	// ImportCaseload upserts the batch, all or nothing, as
	// storage.DB.ImportCaseload does. A batch the store refuses returns an
	// error matching ErrInvalidCaseload (and the storage sentinels it
	// wraps); with dryRun nothing is written.
	ImportCaseload(ctx context.Context, batch storage.CaseloadBatch, actor string, dryRun bool) (storage.ImportReport, error)
	// ShowClient finds a client by PES identifier, email address or
	// employer domain (ErrNoSuchClient otherwise) and returns it with its
	// counsellor, team, current absence and case links.
	ShowClient(ctx context.Context, idOrAddress string) (ClientView, error)
	// AssignClient makes counsellor the client's personal counsellor
	// (ErrNoSuchClient, ErrNoSuchCounsellor).
	AssignClient(ctx context.Context, client, counsellor, actor string) error
	// SetAbsence records an absence and returns its ID. The substitute must
	// be a counsellor of the absent counsellor's team (ErrWrongTeam); a.SetBy
	// names the actor and must be set.
	SetAbsence(ctx context.Context, a storage.Absence) (uint64, error)
	// Absences lists the absences of counsellor, or all when it is empty.
	Absences(ctx context.Context, counsellor string) ([]storage.Absence, error)
	// EndAbsence ends absence id now (ErrNoSuchAbsence); one that has not
	// started yet is cancelled.
	EndAbsence(ctx context.Context, id uint64, actor string) error
	// LinkCase links an expert counsellor to a client's case; l.SetBy
	// names the actor and must be set.
	LinkCase(ctx context.Context, l storage.CaseLink) error
	// UnlinkCase removes a case link (ErrNoSuchCaseLink).
	UnlinkCase(ctx context.Context, client, expert, actor string) error
	// Changes returns up to limit change log entries after sequence number
	// since (limit <= 0: all of them).
	Changes(ctx context.Context, since uint64, limit int) ([]storage.Change, error)
}

// ClientView is a client as `mailnet caseload show` presents it.
type ClientView struct {
	Client storage.Client `json:"client"`
	// Counsellor is the personal counsellor; Team is that counsellor's
	// team. Both are zero when the store lacks them.
	Counsellor storage.Counsellor `json:"counsellor,omitzero"`
	Team       storage.Team       `json:"team,omitzero"`
	// Absence is the counsellor's absence covering the time of the call,
	// if any; its Substitute receives the client's mail meanwhile.
	Absence *storage.Absence `json:"absence,omitempty"`
	// Links are the experts linked to the client's case.
	Links []storage.CaseLink `json:"links,omitempty"`
}

// Sentinel errors of the caseload operations.
var (
	// ErrNoSuchClient: no client has that identifier, address or domain.
	ErrNoSuchClient = errors.New("no such client")
	// ErrNoSuchCounsellor: the address is not a counsellor of the caseload
	// (an account alone is not enough: the import makes counsellors).
	ErrNoSuchCounsellor = errors.New("no such counsellor")
	// ErrNoSuchAbsence: no absence has that ID.
	ErrNoSuchAbsence = errors.New("no such absence")
	// ErrNoSuchCaseLink: the expert is not linked to the client.
	ErrNoSuchCaseLink = errors.New("no such case link")
	// ErrWrongTeam: a substitute who is not in the absent counsellor's
	// team.
	ErrWrongTeam = errors.New("substitute is not in the absent counsellor's team")
	// ErrInvalidCaseload: caseload data the store refuses (an unknown
	// kind, a missing account, an address of two clients, an absence that
	// ends before it starts, …). The error also wraps the storage
	// sentinels that explain it.
	ErrInvalidCaseload = errors.New("invalid caseload data")
)

var _ CaseloadOps = (*Local)(nil)

func (l *Local) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// invalid marks the store's refusals of caseload data with
// ErrInvalidCaseload, keeping the storage sentinels.
func invalid(err error) error {
	if errors.Is(err, storage.ErrInvalidCaseload) || errors.Is(err, storage.ErrConflict) {
		return fmt.Errorf("%w: %w", ErrInvalidCaseload, err)
	}
	return err
}

// ImportCaseload implements CaseloadOps.
func (l *Local) ImportCaseload(ctx context.Context, batch storage.CaseloadBatch, actor string, dryRun bool) (storage.ImportReport, error) {
	rep, err := l.DB.ImportCaseload(ctx, batch, actor, dryRun)
	if err != nil && (errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidCaseload) || errors.Is(err, storage.ErrConflict)) {
		// Validation problems: ErrNotFound here is a missing account,
		// team or counsellor that the batch refers to.
		return storage.ImportReport{}, fmt.Errorf("%w: %w", ErrInvalidCaseload, err)
	}
	return rep, err
}

// client returns the client with that PES identifier.
func (l *Local) client(ctx context.Context, id string) (storage.Client, error) {
	c, err := l.DB.Client(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return c, fmt.Errorf("%s: %w", id, ErrNoSuchClient)
	}
	return c, err
}

// counsellor returns the counsellor with that address.
func (l *Local) counsellor(ctx context.Context, addr string) (storage.Counsellor, error) {
	c, err := l.DB.Counsellor(ctx, strings.ToLower(addr))
	if errors.Is(err, storage.ErrNotFound) {
		return c, fmt.Errorf("%s: %w", addr, ErrNoSuchCounsellor)
	}
	return c, err
}

// findClient looks key up as a PES identifier, then as an email address
// (or, for an address, its domain), then as an employer domain.
func (l *Local) findClient(ctx context.Context, key string) (storage.Client, error) {
	key = strings.TrimSpace(key)
	c, err := l.DB.Client(ctx, key)
	if !errors.Is(err, storage.ErrNotFound) {
		return c, err
	}
	domain := key
	if at := strings.LastIndexByte(key, '@'); at >= 0 {
		c, err = l.DB.ClientByEmail(ctx, key)
		if !errors.Is(err, storage.ErrNotFound) {
			return c, err
		}
		domain = key[at+1:]
	}
	c, err = l.DB.ClientByDomain(ctx, domain)
	if errors.Is(err, storage.ErrNotFound) {
		return c, fmt.Errorf("%s: %w", key, ErrNoSuchClient)
	}
	return c, err
}

// ShowClient implements CaseloadOps.
func (l *Local) ShowClient(ctx context.Context, idOrAddress string) (ClientView, error) {
	c, err := l.findClient(ctx, idOrAddress)
	if err != nil {
		return ClientView{}, err
	}
	v := ClientView{Client: c}
	v.Counsellor, err = l.DB.Counsellor(ctx, c.Counsellor)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return ClientView{}, err
	}
	if v.Counsellor.Team != "" {
		v.Team, err = l.DB.Team(ctx, v.Counsellor.Team)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return ClientView{}, err
		}
	}
	a, err := l.DB.ActiveAbsence(ctx, c.Counsellor, l.now())
	switch {
	case err == nil:
		v.Absence = &a
	case !errors.Is(err, storage.ErrNotFound):
		return ClientView{}, err
	}
	if v.Links, err = l.DB.CaseLinks(ctx, c.ID); err != nil {
		return ClientView{}, err
	}
	return v, nil
}

// AssignClient implements CaseloadOps.
func (l *Local) AssignClient(ctx context.Context, client, counsellor, actor string) error {
	if _, err := l.client(ctx, client); err != nil {
		return err
	}
	if _, err := l.counsellor(ctx, counsellor); err != nil {
		return err
	}
	return l.DB.AssignClient(ctx, client, counsellor, actor)
}

// SetAbsence implements CaseloadOps.
func (l *Local) SetAbsence(ctx context.Context, a storage.Absence) (uint64, error) {
	absent, err := l.counsellor(ctx, a.Counsellor)
	if err != nil {
		return 0, err
	}
	sub, err := l.counsellor(ctx, a.Substitute)
	if err != nil {
		return 0, err
	}
	if sub.Team != absent.Team {
		return 0, fmt.Errorf("%s (team %s) for %s (team %s): %w",
			sub.Address, sub.Team, absent.Address, absent.Team, ErrWrongTeam)
	}
	id, err := l.DB.SetAbsence(ctx, a)
	return id, invalid(err)
}

// Absences implements CaseloadOps.
func (l *Local) Absences(ctx context.Context, counsellor string) ([]storage.Absence, error) {
	if counsellor != "" {
		if _, err := l.counsellor(ctx, counsellor); err != nil {
			return nil, err
		}
	}
	return l.DB.Absences(ctx, counsellor)
}

// EndAbsence implements CaseloadOps.
func (l *Local) EndAbsence(ctx context.Context, id uint64, actor string) error {
	err := l.DB.EndAbsence(ctx, id, l.now(), actor)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("absence %d: %w", id, ErrNoSuchAbsence)
	}
	return err
}

// LinkCase implements CaseloadOps.
func (l *Local) LinkCase(ctx context.Context, link storage.CaseLink) error {
	if _, err := l.client(ctx, link.Client); err != nil {
		return err
	}
	if _, err := l.counsellor(ctx, link.Expert); err != nil {
		return err
	}
	return invalid(l.DB.LinkCase(ctx, link))
}

// UnlinkCase implements CaseloadOps.
func (l *Local) UnlinkCase(ctx context.Context, client, expert, actor string) error {
	err := l.DB.UnlinkCase(ctx, client, expert, actor)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s and %s: %w", client, expert, ErrNoSuchCaseLink)
	}
	return err
}

// Changes implements CaseloadOps.
func (l *Local) Changes(ctx context.Context, since uint64, limit int) ([]storage.Change, error) {
	return l.DB.Changes(ctx, since, limit)
}
