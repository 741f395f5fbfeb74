package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ConversationCounts counts the unanswered conversations by where their
// clock stands at one instant. The three states are exclusive: their sum
// is the number of open conversations.
type ConversationCounts struct {
	// Open are within their time and not yet warned.
	Open int
	// Warned had their notice before expiry sent and are not yet due.
	Warned int
	// Overdue are past their due time (see Conversation.Overdue), warned
	// or not.
	Overdue int
}

// ConversationCounts counts the open conversations at at. It reads only
// the open ones, through the index of each client's open conversation,
// so its cost does not grow with the answered history.
func (db *DB) ConversationCounts(ctx context.Context, at time.Time) (ConversationCounts, error) {
	var n ConversationCounts
	err := db.view(ctx, func(tx *bolt.Tx) error {
		open, convs := caseBucket(tx, bucketConvOpen), caseBucket(tx, bucketConversations)
		if open == nil || convs == nil {
			return nil
		}
		return open.ForEach(func(client, id []byte) error {
			var c Conversation
			if err := getJSON(convs, id, &c); err != nil {
				return fmt.Errorf("open conversation of %s: %w", client, err)
			}
			switch {
			case c.State != ConversationOpen:
			case c.Overdue(at):
				n.Overdue++
			case !c.WarnedAt.IsZero():
				n.Warned++
			default:
				n.Open++
			}
			return nil
		})
	})
	if err != nil {
		return ConversationCounts{}, fmt.Errorf("conversation counts: %w", err)
	}
	return n, nil
}
