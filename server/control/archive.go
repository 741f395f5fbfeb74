package control

import (
	"context"
	"fmt"
	"math"

	"mailnet/archive"
	"mailnet/storage"
)

// Operation names of the archive requests.
const (
	opArchiveVerify = "archive_verify"
	opArchiveExport = "archive_export"
	opArchiveHold   = "archive_hold"
	opArchiveHolds  = "archive_holds"
	opArchivePurge  = "archive_purge"
)

// ArchiveOps are the archive operations of the command-line tools.
type ArchiveOps interface {
	// VerifyArchive checks the archive's chain and every body it keeps; a
	// broken link is an error naming the entry (storage.ChainError
	// locally, its text through the socket).
	// With a non-zero anchor, it also checks that the anchored entry
	// still has the hash kept (storage.DB.CheckAnchor).
	VerifyArchive(ctx context.Context, anchor storage.Anchor) (storage.ArchiveReport, error)
	// ExportArchive writes the selected entries to req.Dir, an absolute
	// path on the server's machine, and records the export in the audit
	// log under req.Actor.
	ExportArchive(ctx context.Context, req ExportRequest) (ExportResult, error)
	// SetHold puts a client's archived mail under legal hold, or releases
	// it.
	SetHold(ctx context.Context, client string, on bool, actor string) error
	// Holds lists the clients under legal hold.
	Holds(ctx context.Context) ([]storage.Hold, error)
	// PurgeArchive removes the content past its retention period (the
	// server's configuration), leaving tombstones; dryRun only counts.
	PurgeArchive(ctx context.Context, dryRun bool) (storage.PurgeReport, error)
}

// ExportRequest is an archive export to write.
type ExportRequest struct {
	Filter storage.ArchiveFilter `json:"filter"`
	Dir    string                `json:"dir"`
	Actor  string                `json:"actor"`
}

// ExportResult sums up a written export.
type ExportResult struct {
	Entries  int    `json:"entries"`
	Messages uint64 `json:"messages"`
	Bytes    int64  `json:"bytes"`
	HeadSeq  uint64 `json:"head_seq"`
	Head     string `json:"head"`
	// Audit is the sequence number of the export's audit entry.
	Audit uint64 `json:"audit"`
}

type archiveArgs struct {
	Anchor storage.Anchor `json:"anchor,omitzero"`
	Export ExportRequest  `json:"export,omitzero"`
	Client string         `json:"client,omitempty"`
	On     bool           `json:"on,omitempty"`
	Actor  string         `json:"actor,omitempty"`
	DryRun bool           `json:"dry_run,omitempty"`
}

func (s *Server) dispatchArchive(ctx context.Context, op string, a archiveArgs) (any, error) {
	switch op {
	case opArchiveVerify:
		return s.ops.VerifyArchive(ctx, a.Anchor)
	case opArchiveExport:
		return s.ops.ExportArchive(ctx, a.Export)
	case opArchiveHold:
		return nil, s.ops.SetHold(ctx, a.Client, a.On, a.Actor)
	case opArchiveHolds:
		return s.ops.Holds(ctx)
	case opArchivePurge:
		return s.ops.PurgeArchive(ctx, a.DryRun)
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

// VerifyArchive implements Ops.
func (l *Local) VerifyArchive(ctx context.Context, anchor storage.Anchor) (storage.ArchiveReport, error) {
	rep, err := l.DB.VerifyArchive(ctx, progressOf(ctx))
	if err == nil && anchor.Seq != 0 {
		err = l.DB.CheckAnchor(ctx, anchor)
	}
	if err != nil {
		return storage.ArchiveReport{}, err
	}
	return rep, nil
}

// ExportArchive implements Ops.
func (l *Local) ExportArchive(ctx context.Context, req ExportRequest) (ExportResult, error) {
	if req.Actor == "" {
		return ExportResult{}, fmt.Errorf("archive export: no actor")
	}
	m, err := archive.Export(ctx, l.DB, req.Filter, req.Dir, l.now(), progressOf(ctx))
	if err != nil {
		return ExportResult{}, err
	}
	res := ExportResult{Entries: len(m.Entries), Messages: m.Messages, Bytes: m.Bytes, HeadSeq: m.HeadSeq, Head: m.Head}
	e := storage.AuditEntry{Actor: req.Actor, Action: "export", Mailbox: "Archive", Client: req.Filter.Client}
	if req.Filter.Client != "" {
		e.Mailbox = "Cases/" + req.Filter.Client
	}
	for _, x := range m.Entries {
		if x.Length > 0 && x.Seq <= math.MaxUint32 {
			e.UIDs = append(e.UIDs, uint32(x.Seq))
		}
	}
	a, err := l.DB.Audit(ctx, e)
	if err != nil {
		return ExportResult{}, fmt.Errorf("archive export written to %s, but not audited: %w", req.Dir, err)
	}
	res.Audit = a.Seq
	return res, nil
}

// SetHold implements Ops.
func (l *Local) SetHold(ctx context.Context, client string, on bool, actor string) error {
	return l.DB.SetHold(ctx, client, on, actor)
}

// Holds implements Ops.
func (l *Local) Holds(ctx context.Context) ([]storage.Hold, error) {
	return l.DB.Holds(ctx)
}

// PurgeArchive implements Ops.
func (l *Local) PurgeArchive(ctx context.Context, dryRun bool) (storage.PurgeReport, error) {
	return l.DB.PurgeArchive(ctx, storage.PurgeRequest{Retention: l.Retention, Now: l.now(), DryRun: dryRun}, progressOf(ctx))
}

// VerifyArchive implements Ops.
func (c *Client) VerifyArchive(ctx context.Context, anchor storage.Anchor) (storage.ArchiveReport, error) {
	var rep storage.ArchiveReport
	err := c.call(ctx, request{Op: opArchiveVerify, Archive: archiveArgs{Anchor: anchor}}, &rep)
	return rep, err
}

// ExportArchive implements Ops.
func (c *Client) ExportArchive(ctx context.Context, req ExportRequest) (ExportResult, error) {
	var res ExportResult
	err := c.call(ctx, request{Op: opArchiveExport, Archive: archiveArgs{Export: req}}, &res)
	return res, err
}

// SetHold implements Ops.
func (c *Client) SetHold(ctx context.Context, client string, on bool, actor string) error {
	return c.call(ctx, request{Op: opArchiveHold, Archive: archiveArgs{Client: client, On: on, Actor: actor}}, nil)
}

// Holds implements Ops.
func (c *Client) Holds(ctx context.Context) ([]storage.Hold, error) {
	var out []storage.Hold
	err := c.call(ctx, request{Op: opArchiveHolds}, &out)
	return out, err
}

// PurgeArchive implements Ops.
func (c *Client) PurgeArchive(ctx context.Context, dryRun bool) (storage.PurgeReport, error) {
	var rep storage.PurgeReport
	err := c.call(ctx, request{Op: opArchivePurge, Archive: archiveArgs{DryRun: dryRun}}, &rep)
	return rep, err
}
