package control

import (
	"context"

	"mailnet/storage"
)

// opConversations is the request of Ops.Conversations.
const opConversations = "conversations"

// Conversations implements Ops.
func (l *Local) Conversations(ctx context.Context, filter storage.ConversationFilter) ([]storage.Conversation, error) {
	return l.DB.Conversations(ctx, filter)
}

// Conversations implements Ops.
func (c *Client) Conversations(ctx context.Context, filter storage.ConversationFilter) ([]storage.Conversation, error) {
	var out []storage.Conversation
	err := c.call(ctx, request{Op: opConversations, Conversations: filter}, &out)
	return out, err
}
