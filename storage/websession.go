package storage

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketWebSessions holds the dashboard's logins, keyed by the SHA-256 of
// the session ID, so that the store (or a backup of it) yields no usable
// cookie: SHA-256(id) → WebSession JSON. Created by the first login.
var bucketWebSessions = []byte("web_sessions")

// WebSession is one login to the dashboard.
type WebSession struct {
	// Account is the logged-in account's address.
	Account string `json:"account"`
	// CSRF is the session's anti-forgery token.
	CSRF string `json:"csrf"`
	// Expires is when the login ends, used or not.
	Expires time.Time `json:"expires"`
}

func webSessionKey(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// CreateWebSession stores a new session under id. In the same
// transaction it drops the sessions expired at now and, if max sessions
// remain, the one closest to expiry.
func (db *DB) CreateWebSession(ctx context.Context, id string, s WebSession, now time.Time, max int) error {
	err := db.write(ctx, func(w *writeTx) error {
		b, err := w.tx.CreateBucketIfNotExists(bucketWebSessions)
		if err != nil {
			return err
		}
		var doomed [][]byte
		var soonest []byte
		var soonestAt time.Time
		n := 0
		err = b.ForEach(func(k, v []byte) error {
			var o WebSession
			if err := jsonUnmarshal(v, &o); err != nil || !now.Before(o.Expires) {
				doomed = append(doomed, k)
				return nil
			}
			n++
			if soonest == nil || o.Expires.Before(soonestAt) {
				soonest, soonestAt = k, o.Expires
			}
			return nil
		})
		if err != nil {
			return err
		}
		if max > 0 && n >= max && soonest != nil {
			doomed = append(doomed, soonest)
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return putJSON(b, webSessionKey(id), s)
	})
	if err != nil {
		return fmt.Errorf("create web session: %w", err)
	}
	return nil
}

// WebSession returns the session stored under id, or ErrNotFound; an
// expired session is returned as it is, for the caller to end.
func (db *DB) WebSession(ctx context.Context, id string) (WebSession, error) {
	var s WebSession
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebSessions)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, webSessionKey(id), &s)
	})
	return s, err
}

// DeleteWebSession ends the session stored under id, if any.
func (db *DB) DeleteWebSession(ctx context.Context, id string) error {
	return db.write(ctx, func(w *writeTx) error {
		b := w.tx.Bucket(bucketWebSessions)
		if b == nil {
			return nil
		}
		return b.Delete(webSessionKey(id))
	})
}
