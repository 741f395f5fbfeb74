package storage

import (
	"context"
	"fmt"
	"math"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// getCaseJSON reads key from the named caseload bucket, ErrNotFound when
// the bucket or the key is missing.
func getCaseJSON(tx *bolt.Tx, bucket, key []byte, v any) error {
	b := caseBucket(tx, bucket)
	if b == nil {
		return ErrNotFound
	}
	return getJSON(b, key, v)
}

// listCaseJSON decodes every value of the named bucket, in key order.
func listCaseJSON[T any](tx *bolt.Tx, bucket []byte) ([]T, error) {
	b := caseBucket(tx, bucket)
	if b == nil {
		return nil, nil
	}
	var out []T
	err := b.ForEach(func(k, v []byte) error {
		var x T
		if err := jsonUnmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// Team returns the team with the given ID, or ErrNotFound.
func (db *DB) Team(ctx context.Context, id string) (Team, error) {
	var t Team
	err := db.view(ctx, func(tx *bolt.Tx) error { return getCaseJSON(tx, bucketTeams, []byte(id), &t) })
	return t, err
}

// Teams returns every team, ordered by ID.
func (db *DB) Teams(ctx context.Context) ([]Team, error) {
	var out []Team
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		out, err = listCaseJSON[Team](tx, bucketTeams)
		return err
	})
	return out, err
}

// Counsellor returns the counsellor with the given lower-cased address, or
// ErrNotFound.
func (db *DB) Counsellor(ctx context.Context, address string) (Counsellor, error) {
	var c Counsellor
	err := db.view(ctx, func(tx *bolt.Tx) error { return getCaseJSON(tx, bucketCounsellors, []byte(address), &c) })
	return c, err
}

// Counsellors returns every counsellor, ordered by address.
func (db *DB) Counsellors(ctx context.Context) ([]Counsellor, error) {
	var out []Counsellor
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		out, err = listCaseJSON[Counsellor](tx, bucketCounsellors)
		return err
	})
	return out, err
}

// Client returns the client with the given PES identifier, or ErrNotFound.
func (db *DB) Client(ctx context.Context, id string) (Client, error) {
	var c Client
	err := db.view(ctx, func(tx *bolt.Tx) error { return getCaseJSON(tx, bucketClients, []byte(id), &c) })
	return c, err
}

// ClientByEmail returns the client that owns the address (compared
// case-insensitively), or ErrNotFound. It says nothing about whether a
// message really comes from that client: that is the caller's check.
func (db *DB) ClientByEmail(ctx context.Context, addr string) (Client, error) {
	return db.clientByIndex(ctx, bucketClientEmail, addr)
}

// ClientByDomain returns the employer that registered the email domain
// (compared case-insensitively), or ErrNotFound.
func (db *DB) ClientByDomain(ctx context.Context, domain string) (Client, error) {
	return db.clientByIndex(ctx, bucketClientDom, domain)
}

func (db *DB) clientByIndex(ctx context.Context, index []byte, key string) (Client, error) {
	var c Client
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := caseBucket(tx, index)
		if b == nil {
			return ErrNotFound
		}
		id := b.Get([]byte(strings.ToLower(key)))
		if id == nil {
			return ErrNotFound
		}
		return getCaseJSON(tx, bucketClients, id, &c)
	})
	return c, err
}

// AssignClient makes counsellor the personal counsellor of the client and
// logs the change under actor. Both must exist (ErrNotFound otherwise).
// Assigning the current counsellor changes and logs nothing. A later import
// that lists the client sets the counsellor from the planning software
// again.
func (db *DB) AssignClient(ctx context.Context, clientID, counsellor, actor string) error {
	counsellor = strings.ToLower(counsellor)
	err := db.write(ctx, func(w *writeTx) error {
		var c Client
		if err := getCaseJSON(w.tx, bucketClients, []byte(clientID), &c); err != nil {
			return fmt.Errorf("client: %w", err)
		}
		var co Counsellor
		if err := getCaseJSON(w.tx, bucketCounsellors, []byte(counsellor), &co); err != nil {
			return fmt.Errorf("counsellor %s: %w", counsellor, err)
		}
		if c.Counsellor == counsellor {
			return nil
		}
		old := c.Counsellor
		c.Counsellor = counsellor
		if err := putJSON(w.tx.Bucket(bucketClients), []byte(c.ID), c); err != nil {
			return err
		}
		return db.logChange(w, &Change{Actor: actor, Action: "client.assign", Subject: c.ID,
			Detail: fmt.Sprintf("counsellor %s → %s", old, counsellor)})
	})
	if err != nil {
		return fmt.Errorf("assign client %s: %w", clientID, err)
	}
	return nil
}

// Changes returns the change log entries with Seq greater than since, in
// order, at most limit of them (limit <= 0 means no limit). Pass the last
// Seq seen to read on.
func (db *DB) Changes(ctx context.Context, since uint64, limit int) ([]Change, error) {
	var out []Change
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := caseBucket(tx, bucketChanges)
		if b == nil || since == math.MaxUint64 {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(since + 1)); k != nil; k, v = c.Next() {
			if limit > 0 && len(out) >= limit {
				break
			}
			var ch Change
			if err := jsonUnmarshal(v, &ch); err != nil {
				return fmt.Errorf("decode change %x: %w", k, err)
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}
