package control

import (
	"context"

	"mailnet/storage"
)

// Operation names of the audit requests.
const (
	opAuditList   = "audit_list"
	opAuditVerify = "audit_verify"
)

// AuditOps are the audit log operations of the command-line tools.
type AuditOps interface {
	// AuditEntries returns the audit entries filter selects, in order.
	AuditEntries(ctx context.Context, filter storage.AuditFilter) ([]storage.AuditEntry, error)
	// VerifyAudit checks the audit log's hash chain and returns the number
	// of entries checked; a broken link is an error naming the entry.
	VerifyAudit(ctx context.Context) (uint64, error)
}

// AuditEntries implements Ops.
func (l *Local) AuditEntries(ctx context.Context, filter storage.AuditFilter) ([]storage.AuditEntry, error) {
	return l.DB.AuditEntries(ctx, filter)
}

// VerifyAudit implements Ops.
func (l *Local) VerifyAudit(ctx context.Context) (uint64, error) {
	var n uint64
	err := l.DB.VerifyAudit(ctx, func(done, _ uint64) { n = done })
	return n, err
}

// AuditEntries implements Ops.
func (c *Client) AuditEntries(ctx context.Context, filter storage.AuditFilter) ([]storage.AuditEntry, error) {
	var out []storage.AuditEntry
	err := c.call(ctx, request{Op: opAuditList, Audit: filter}, &out)
	return out, err
}

// VerifyAudit implements Ops.
func (c *Client) VerifyAudit(ctx context.Context) (uint64, error) {
	var n uint64
	err := c.call(ctx, request{Op: opAuditVerify}, &n)
	return n, err
}
