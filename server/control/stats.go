package control

// The reads behind `mailnet stats`: the caseload's counsellors and the
// archive entries that the statistics count.

import (
	"context"

	"mailnet/storage"
)

// opCounsellors is the request of Ops.Counsellors.
const opCounsellors = "counsellors"

// Counsellors implements Ops.
func (l *Local) Counsellors(ctx context.Context) ([]storage.Counsellor, error) {
	return l.DB.Counsellors(ctx)
}

// Counsellors implements Ops.
func (c *Client) Counsellors(ctx context.Context) ([]storage.Counsellor, error) {
	var out []storage.Counsellor
	err := c.call(ctx, request{Op: opCounsellors}, &out)
	return out, err
}

// opArchiveEntries is the request of Ops.ArchiveEntries.
const opArchiveEntries = "archive_entries"

// ArchiveEntries implements Ops.
func (l *Local) ArchiveEntries(ctx context.Context, filter storage.ArchiveFilter) ([]storage.ArchiveEntry, error) {
	return l.DB.ArchiveEntries(ctx, filter)
}

// ArchiveEntries implements Ops.
func (c *Client) ArchiveEntries(ctx context.Context, filter storage.ArchiveFilter) ([]storage.ArchiveEntry, error) {
	var out []storage.ArchiveEntry
	err := c.call(ctx, request{Op: opArchiveEntries, Entries: filter}, &out)
	return out, err
}
