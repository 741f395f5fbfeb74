package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ConversationFilter selects conversations. The zero value selects all.
type ConversationFilter struct {
	// Open keeps only the conversations still waiting for an answer.
	Open bool
	// Counsellor, if set, keeps only the conversations of that personal
	// counsellor (compared case-insensitively).
	Counsellor string
	// OverdueAt, if set, keeps only the conversations overdue at that
	// instant (see Conversation.Overdue).
	OverdueAt time.Time
	// Team, if set, keeps only the conversations whose counsellor belongs
	// to that team (by its ID) in the current caseload.
	Team string
}

func (f ConversationFilter) match(c Conversation, inTeam map[string]bool) bool {
	switch {
	case f.Team != "" && !inTeam[strings.ToLower(c.Counsellor)]:
		return false
	case f.Open && c.State != ConversationOpen:
		return false
	case f.Counsellor != "" && !strings.EqualFold(f.Counsellor, c.Counsellor):
		return false
	case !f.OverdueAt.IsZero() && !c.Overdue(f.OverdueAt):
		return false
	}
	return true
}

// Conversations returns the conversations that f selects, ordered by ID.
func (db *DB) Conversations(ctx context.Context, f ConversationFilter) ([]Conversation, error) {
	var out []Conversation
	err := db.view(ctx, func(tx *bolt.Tx) error {
		inTeam := map[string]bool{}
		if f.Team != "" {
			counsellors, err := listCaseJSON[Counsellor](tx, bucketCounsellors)
			if err != nil {
				return err
			}
			for _, co := range counsellors {
				if co.Team == f.Team {
					inTeam[co.Address] = true
				}
			}
		}
		all, err := listCaseJSON[Conversation](tx, bucketConversations)
		for _, c := range all {
			if f.match(c, inTeam) {
				out = append(out, c)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	return out, nil
}

// ConversationByID returns the conversation with the given ID, or
// ErrNotFound.
func (db *DB) ConversationByID(ctx context.Context, id uint64) (Conversation, error) {
	var c Conversation
	err := db.view(ctx, func(tx *bolt.Tx) error { return getCaseJSON(tx, bucketConversations, u64(id), &c) })
	if err != nil {
		return Conversation{}, fmt.Errorf("conversation %d: %w", id, err)
	}
	return c, nil
}
