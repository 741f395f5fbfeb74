package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// CaseloadBatch is one import of the planning software's data. Entries are
// upserted by key (team ID, counsellor address, client ID); entries that
// the batch does not name are left as they are.
type CaseloadBatch struct {
	Teams       []Team
	Counsellors []Counsellor
	Clients     []Client
}

// ImportCounts counts what an import did to one kind of entry.
type ImportCounts struct {
	Created, Updated, Unchanged int
}

// ImportReport says what ImportCaseload changed, or would change in a dry
// run.
type ImportReport struct {
	Teams, Counsellors, Clients ImportCounts
	// DryRun is set when nothing was written.
	DryRun bool
	// Changes are the change log entries written (in a dry run, those that
	// would have been, with Seq as it would have been).
	Changes []Change
}

// Changed returns the number of entries created or updated.
func (r ImportReport) Changed() int {
	n := 0
	for _, c := range []ImportCounts{r.Teams, r.Counsellors, r.Clients} {
		n += c.Created + c.Updated
	}
	return n
}

// errDryRun rolls back the transaction of a dry run.
var errDryRun = errors.New("storage: dry run")

// ImportCaseload upserts the batch's teams, counsellors and clients in one
// transaction: all of it is applied, or nothing. Each created or updated
// entry appends a change log entry under actor in that same transaction.
// Importing a batch that matches the store changes nothing and logs
// nothing. With dryRun the same work runs in a transaction that is then
// rolled back, so the report is exact and nothing is written.
//
// Validation problems (unknown kind, a counsellor or manager without an
// account, a counsellor's team or a client's counsellor missing from both
// batch and store, an email or domain claimed by two clients, the same key
// twice in the batch) are returned together, as one error joining them
// all; each wraps ErrInvalidCaseload, ErrNotFound or ErrConflict.
//
// Emails and domains may move from one client to another within a batch
// when both clients are in it. A team's ServiceAddresses are kept when the
// batch's team has none.
func (db *DB) ImportCaseload(ctx context.Context, batch CaseloadBatch, actor string, dryRun bool) (ImportReport, error) {
	batch = normBatch(batch)
	var rep ImportReport
	err := db.write(ctx, func(w *writeTx) error {
		// The function may run more than once (group commit): start afresh.
		rep = ImportReport{DryRun: dryRun}
		im := importer{db: db, w: w, actor: actor, rep: &rep}
		if err := im.validate(batch); err != nil {
			return err
		}
		if err := im.apply(batch); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return ImportReport{}, fmt.Errorf("import caseload: %w", err)
	}
	return rep, nil
}

func normBatch(b CaseloadBatch) CaseloadBatch {
	var out CaseloadBatch
	for _, t := range b.Teams {
		t.ID = strings.TrimSpace(t.ID)
		t.Managers = normSet(t.Managers)
		t.ServiceAddresses = normSet(t.ServiceAddresses)
		out.Teams = append(out.Teams, t)
	}
	for _, c := range b.Counsellors {
		c.Address = strings.ToLower(strings.TrimSpace(c.Address))
		c.Team = strings.TrimSpace(c.Team)
		c.Expertise = normSet(c.Expertise)
		out.Counsellors = append(out.Counsellors, c)
	}
	for _, c := range b.Clients {
		c.ID = strings.TrimSpace(c.ID)
		c.Counsellor = strings.ToLower(strings.TrimSpace(c.Counsellor))
		c.Emails = normSet(c.Emails)
		c.Domains = normSet(c.Domains)
		out.Clients = append(out.Clients, c)
	}
	return out
}

type importer struct {
	db    *DB
	w     *writeTx
	actor string
	rep   *ImportReport
}

// exists reports whether key is in the named bucket of the transaction.
func (im *importer) exists(bucket []byte, key string) bool {
	b := im.w.tx.Bucket(bucket)
	return b != nil && b.Get([]byte(key)) != nil
}

// validate checks the whole batch against itself and the store and
// returns every problem found, joined.
func (im *importer) validate(b CaseloadBatch) error {
	var probs []error
	bad := func(format string, args ...any) { probs = append(probs, fmt.Errorf(format, args...)) }

	teams := make(map[string]bool, len(b.Teams))
	for _, t := range b.Teams {
		switch {
		case t.ID == "":
			bad("team with empty ID: %w", ErrInvalidCaseload)
		case teams[t.ID]:
			bad("team %s listed twice: %w", t.ID, ErrConflict)
		}
		teams[t.ID] = true
		for _, m := range t.Managers {
			if !im.exists(bucketAccounts, m) {
				bad("team %s: manager %s has no account: %w", t.ID, m, ErrNotFound)
			}
		}
	}
	couns := make(map[string]bool, len(b.Counsellors))
	for _, c := range b.Counsellors {
		switch {
		case c.Address == "":
			bad("counsellor with empty address: %w", ErrInvalidCaseload)
		case couns[c.Address]:
			bad("counsellor %s listed twice: %w", c.Address, ErrConflict)
		case !im.exists(bucketAccounts, c.Address):
			bad("counsellor %s has no account: %w", c.Address, ErrNotFound)
		}
		couns[c.Address] = true
		if !validCounsellorKind(c.Kind) {
			bad("counsellor %s: kind %q is not %s or %s: %w", c.Address, c.Kind, ServesJobseekers, ServesEmployers, ErrInvalidCaseload)
		}
		if !teams[c.Team] && !im.exists(bucketTeams, c.Team) {
			bad("counsellor %s: team %q is neither in the import nor stored: %w", c.Address, c.Team, ErrNotFound)
		}
	}
	probs = append(probs, im.validateClients(b.Clients, couns)...)
	return errors.Join(probs...)
}

func (im *importer) validateClients(clients []Client, couns map[string]bool) []error {
	var probs []error
	bad := func(format string, args ...any) { probs = append(probs, fmt.Errorf(format, args...)) }
	ids := make(map[string]bool, len(clients))
	for _, c := range clients {
		if ids[c.ID] {
			bad("client %s listed twice: %w", c.ID, ErrConflict)
		}
		ids[c.ID] = true
	}
	emailOwner := make(map[string]string, len(clients))
	domainOwner := map[string]string{}
	claim := func(c Client, what string, owners map[string]string, index []byte, keys []string) {
		stored := im.w.tx.Bucket(index)
		for _, k := range keys {
			if other, ok := owners[k]; ok && other != c.ID {
				bad("%s %s claimed by clients %s and %s: %w", what, k, other, c.ID, ErrConflict)
				continue
			}
			owners[k] = c.ID
			if stored == nil {
				continue
			}
			// An owner that is in the batch and no longer claims it lets go.
			if other := stored.Get([]byte(k)); other != nil && string(other) != c.ID && !ids[string(other)] {
				bad("%s %s of client %s already belongs to client %s: %w", what, k, c.ID, other, ErrConflict)
			}
		}
	}
	for _, c := range clients {
		if c.ID == "" {
			bad("client with empty ID: %w", ErrInvalidCaseload)
		}
		if !validClientKind(c.Kind) {
			bad("client %s: kind %q is not %s or %s: %w", c.ID, c.Kind, ClientJobseeker, ClientEmployer, ErrInvalidCaseload)
		}
		if c.Kind == ClientJobseeker && len(c.Domains) > 0 {
			bad("client %s: a jobseeker has no email domains: %w", c.ID, ErrInvalidCaseload)
		}
		if !couns[c.Counsellor] && !im.exists(bucketCounsellors, c.Counsellor) {
			bad("client %s: counsellor %q is neither in the import nor stored: %w", c.ID, c.Counsellor, ErrNotFound)
		}
		claim(c, "email", emailOwner, bucketClientEmail, c.Emails)
		claim(c, "domain", domainOwner, bucketClientDom, c.Domains)
	}
	return probs
}

// apply writes the validated batch.
func (im *importer) apply(b CaseloadBatch) error {
	tb, err := wBucket(im.w, bucketTeams)
	if err != nil {
		return err
	}
	for _, t := range b.Teams {
		var old Team
		found := getJSON(tb, []byte(t.ID), &old) == nil
		if found && t.ServiceAddresses == nil {
			t.ServiceAddresses = old.ServiceAddresses
		}
		if err := im.upsert(tb, "team", t.ID, found, old, t, &im.rep.Teams); err != nil {
			return err
		}
	}
	cb, err := wBucket(im.w, bucketCounsellors)
	if err != nil {
		return err
	}
	for _, c := range b.Counsellors {
		var old Counsellor
		found := getJSON(cb, []byte(c.Address), &old) == nil
		if err := im.upsert(cb, "counsellor", c.Address, found, old, c, &im.rep.Counsellors); err != nil {
			return err
		}
	}
	return im.applyClients(b.Clients)
}

// applyClients writes the clients in ID order and then the new index
// entries in key order: bbolt keeps a transaction's changes in unsplit
// nodes until the commit, so ordered inserts append where random ones
// would move the whole node each time.
func (im *importer) applyClients(clients []Client) error {
	cb, err := wBucket(im.w, bucketClients)
	if err != nil {
		return err
	}
	eb, err := wBucket(im.w, bucketClientEmail)
	if err != nil {
		return err
	}
	dom, err := wBucket(im.w, bucketClientDom)
	if err != nil {
		return err
	}
	clients = slices.Clone(clients)
	slices.SortFunc(clients, func(x, y Client) int { return strings.Compare(x.ID, y.ID) })
	var emails, domains []indexEntry
	for _, c := range clients {
		var old Client
		found := getJSON(cb, []byte(c.ID), &old) == nil
		if found && reflect.DeepEqual(old, c) {
			im.rep.Clients.Unchanged++
			continue
		}
		if emails, err = unindex(eb, c.ID, old.Emails, c.Emails, emails); err != nil {
			return err
		}
		if domains, err = unindex(dom, c.ID, old.Domains, c.Domains, domains); err != nil {
			return err
		}
		if err := im.upsert(cb, "client", c.ID, found, old, c, &im.rep.Clients); err != nil {
			return err
		}
	}
	if err := putIndex(eb, emails); err != nil {
		return err
	}
	return putIndex(dom, domains)
}

// indexEntry is an email or domain and the client ID it points to.
type indexEntry struct{ key, id string }

// unindex removes the keys of prev that still point at id but are not in
// next, and appends to puts the keys of next that do not point at id yet.
// Removals all happen before putIndex, so a key moving from one client of
// the batch to another ends with its new owner whatever the order.
func unindex(b *bolt.Bucket, id string, prev, next []string, puts []indexEntry) ([]indexEntry, error) {
	for _, k := range next {
		if string(b.Get([]byte(k))) != id {
			puts = append(puts, indexEntry{k, id})
		}
	}
	for _, k := range prev {
		if !slices.Contains(next, k) && string(b.Get([]byte(k))) == id {
			if err := b.Delete([]byte(k)); err != nil {
				return nil, err
			}
		}
	}
	return puts, nil
}

// putIndex writes entries in key order.
func putIndex(b *bolt.Bucket, entries []indexEntry) error {
	slices.SortFunc(entries, func(x, y indexEntry) int { return strings.Compare(x.key, y.key) })
	for _, e := range entries {
		if err := b.Put([]byte(e.key), []byte(e.id)); err != nil {
			return err
		}
	}
	return nil
}

// upsert stores v under key unless it equals old, counts the outcome and
// logs it.
func (im *importer) upsert(b *bolt.Bucket, kind, key string, found bool, old, v any, n *ImportCounts) error {
	ch := Change{Actor: im.actor, Subject: key}
	switch {
	case !found:
		n.Created++
		ch.Action, ch.Detail = kind+".create", "created by import"
	case reflect.DeepEqual(old, v):
		n.Unchanged++
		return nil
	default:
		n.Updated++
		ch.Action, ch.Detail = kind+".update", "changed by import: "+diffFields(old, v)
	}
	if err := putJSON(b, []byte(key), v); err != nil {
		return err
	}
	if err := im.db.logChange(im.w, &ch); err != nil {
		return err
	}
	im.rep.Changes = append(im.rep.Changes, ch)
	return nil
}

// diffFields describes the fields that differ between two values of the
// same struct type, e.g. "counsellor a@x → b@x, emails".
func diffFields(old, v any) string {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(v)
	var parts []string
	for i := range nv.NumField() {
		o, n := ov.Field(i).Interface(), nv.Field(i).Interface()
		if reflect.DeepEqual(o, n) {
			continue
		}
		name := strings.ToLower(nv.Type().Field(i).Name)
		if s, ok := n.(string); ok {
			name = fmt.Sprintf("%s %s → %s", name, o, s)
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, ", ")
}
