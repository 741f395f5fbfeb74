package storage

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CaseLink links an expert counsellor to a client's case: the expert gets a
// copy of the client's new messages.
type CaseLink struct {
	Client string `json:"client"`
	// Expert is the expert counsellor's address.
	Expert string `json:"expert"`
	Reason string `json:"reason,omitempty"`
	// SetBy is who linked them (a manager; package auth checks that).
	SetBy string `json:"set_by"`
	// Created is set by LinkCase.
	Created time.Time `json:"created"`
}

func caseLinkKey(client, expert string) []byte {
	return []byte(client + "\x00" + expert)
}

// LinkCase links l.Expert to l.Client's case, replacing the reason of an
// existing link. Client and expert must exist (ErrNotFound); SetBy must be
// set (ErrInvalidCaseload). l.Created is assigned here.
func (db *DB) LinkCase(ctx context.Context, l CaseLink) error {
	l.Expert = strings.ToLower(l.Expert)
	if l.SetBy == "" || l.Client == "" {
		return fmt.Errorf("link case %s: %w", l.Client, ErrInvalidCaseload)
	}
	err := db.write(ctx, func(w *writeTx) error {
		var c Client
		if err := getCaseJSON(w.tx, bucketClients, []byte(l.Client), &c); err != nil {
			return fmt.Errorf("client: %w", err)
		}
		var co Counsellor
		if err := getCaseJSON(w.tx, bucketCounsellors, []byte(l.Expert), &co); err != nil {
			return fmt.Errorf("expert %s: %w", l.Expert, err)
		}
		b, err := wBucket(w, bucketCaseLinks)
		if err != nil {
			return err
		}
		link := l
		link.Created = db.now().UTC()
		if err := putJSON(b, caseLinkKey(l.Client, l.Expert), link); err != nil {
			return err
		}
		return db.logChange(w, &Change{Actor: l.SetBy, Action: "case.link", Subject: l.Client,
			Detail: fmt.Sprintf("expert %s: %s", l.Expert, l.Reason)})
	})
	if err != nil {
		return fmt.Errorf("link case %s: %w", l.Client, err)
	}
	return nil
}

// UnlinkCase removes the link between client and expert, logged under
// actor, or returns ErrNotFound.
func (db *DB) UnlinkCase(ctx context.Context, client, expert, actor string) error {
	expert = strings.ToLower(expert)
	err := db.write(ctx, func(w *writeTx) error {
		b := w.tx.Bucket(bucketCaseLinks)
		key := caseLinkKey(client, expert)
		if b == nil || b.Get(key) == nil {
			return ErrNotFound
		}
		if err := b.Delete(key); err != nil {
			return err
		}
		return db.logChange(w, &Change{Actor: actor, Action: "case.unlink", Subject: client,
			Detail: "expert " + expert})
	})
	if err != nil {
		return fmt.Errorf("unlink case %s: %w", client, err)
	}
	return nil
}

// CaseLinks returns the experts linked to client, ordered by address.
func (db *DB) CaseLinks(ctx context.Context, client string) ([]CaseLink, error) {
	var out []CaseLink
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := caseBucket(tx, bucketCaseLinks)
		if b == nil {
			return nil
		}
		prefix := []byte(client + "\x00")
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var l CaseLink
			if err := jsonUnmarshal(v, &l); err != nil {
				return fmt.Errorf("decode case link %q: %w", k, err)
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}
