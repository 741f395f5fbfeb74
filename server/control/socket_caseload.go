package control

import (
	"context"
	"fmt"

	"mailnet/storage"
)

// Operation names of the caseload requests.
const (
	opImportCaseload = "caseload_import"
	opShowClient     = "caseload_show"
	opAssignClient   = "caseload_assign"
	opSetAbsence     = "absence_set"
	opAbsences       = "absence_list"
	opEndAbsence     = "absence_end"
	opLinkCase       = "case_link"
	opUnlinkCase     = "case_unlink"
	opChanges        = "caseload_changes"
)

// caseloadArgs are the arguments of the caseload requests; each operation
// reads the fields it needs.
type caseloadArgs struct {
	Batch      storage.CaseloadBatch `json:"batch,omitzero"`
	DryRun     bool                  `json:"dry_run,omitempty"`
	Actor      string                `json:"actor,omitempty"`
	Key        string                `json:"key,omitempty"`
	Counsellor string                `json:"counsellor,omitempty"`
	Absence    storage.Absence       `json:"absence,omitzero"`
	Link       storage.CaseLink      `json:"link,omitzero"`
	ID         uint64                `json:"id,omitempty"`
	Limit      int                   `json:"limit,omitempty"`
}

func (s *Server) dispatchCaseload(ctx context.Context, op string, a caseloadArgs) (any, error) {
	switch op {
	case opImportCaseload:
		return s.ops.ImportCaseload(ctx, a.Batch, a.Actor, a.DryRun)
	case opShowClient:
		return s.ops.ShowClient(ctx, a.Key)
	case opAssignClient:
		return nil, s.ops.AssignClient(ctx, a.Key, a.Counsellor, a.Actor)
	case opSetAbsence:
		return s.ops.SetAbsence(ctx, a.Absence)
	case opAbsences:
		return s.ops.Absences(ctx, a.Counsellor)
	case opEndAbsence:
		return nil, s.ops.EndAbsence(ctx, a.ID, a.Actor)
	case opLinkCase:
		return nil, s.ops.LinkCase(ctx, a.Link)
	case opUnlinkCase:
		return nil, s.ops.UnlinkCase(ctx, a.Key, a.Counsellor, a.Actor)
	case opChanges:
		return s.ops.Changes(ctx, a.ID, a.Limit)
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

// ImportCaseload implements Ops. The whole batch travels in one request;
// the server allows it importTimeout.
func (c *Client) ImportCaseload(ctx context.Context, batch storage.CaseloadBatch, actor string, dryRun bool) (storage.ImportReport, error) {
	var rep storage.ImportReport
	err := c.call(ctx, request{Op: opImportCaseload, Caseload: caseloadArgs{Batch: batch, Actor: actor, DryRun: dryRun}}, &rep)
	return rep, err
}

// ShowClient implements Ops.
func (c *Client) ShowClient(ctx context.Context, idOrAddress string) (ClientView, error) {
	var v ClientView
	err := c.call(ctx, request{Op: opShowClient, Caseload: caseloadArgs{Key: idOrAddress}}, &v)
	return v, err
}

// AssignClient implements Ops.
func (c *Client) AssignClient(ctx context.Context, client, counsellor, actor string) error {
	return c.call(ctx, request{Op: opAssignClient, Caseload: caseloadArgs{Key: client, Counsellor: counsellor, Actor: actor}}, nil)
}

// SetAbsence implements Ops.
func (c *Client) SetAbsence(ctx context.Context, a storage.Absence) (uint64, error) {
	var id uint64
	err := c.call(ctx, request{Op: opSetAbsence, Caseload: caseloadArgs{Absence: a}}, &id)
	return id, err
}

// Absences implements Ops.
func (c *Client) Absences(ctx context.Context, counsellor string) ([]storage.Absence, error) {
	var out []storage.Absence
	err := c.call(ctx, request{Op: opAbsences, Caseload: caseloadArgs{Counsellor: counsellor}}, &out)
	return out, err
}

// EndAbsence implements Ops.
func (c *Client) EndAbsence(ctx context.Context, id uint64, actor string) error {
	return c.call(ctx, request{Op: opEndAbsence, Caseload: caseloadArgs{ID: id, Actor: actor}}, nil)
}

// LinkCase implements Ops.
func (c *Client) LinkCase(ctx context.Context, l storage.CaseLink) error {
	return c.call(ctx, request{Op: opLinkCase, Caseload: caseloadArgs{Link: l}}, nil)
}

// UnlinkCase implements Ops.
func (c *Client) UnlinkCase(ctx context.Context, client, expert, actor string) error {
	return c.call(ctx, request{Op: opUnlinkCase, Caseload: caseloadArgs{Key: client, Counsellor: expert, Actor: actor}}, nil)
}

// Changes implements Ops.
func (c *Client) Changes(ctx context.Context, since uint64, limit int) ([]storage.Change, error) {
	var out []storage.Change
	err := c.call(ctx, request{Op: opChanges, Caseload: caseloadArgs{ID: since, Limit: limit}}, &out)
	return out, err
}
