package server

import (
	"context"
	"errors"
	"fmt"

	"mailnet/storage"
)

// AnswersAddress is the internal account that holds the answer repository
// (IMAP "Answers/…"). Its domain is reserved (RFC 2606), so no mail can
// reach it and no one can log in to it: it is disabled and has no
// password.
const AnswersAddress = "answers@answers.invalid"

// answersFirstFolder is the folder a new repository starts with.
const answersFirstFolder = "General"

// ensureAnswers returns the answer repository's account, creating it with
// one folder on first start.
func ensureAnswers(ctx context.Context, db *storage.DB) (storage.Account, error) {
	acc, err := db.Account(ctx, AnswersAddress)
	if err == nil {
		return acc, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return acc, fmt.Errorf("answers account: %w", err)
	}
	acc, err = db.CreateAccount(ctx, storage.Account{Address: AnswersAddress, Name: "answer repository (IMAP Answers/, internal)",
		Role: storage.RoleCounsellor, Disabled: true})
	if err != nil {
		return acc, fmt.Errorf("answers account: %w", err)
	}
	for _, m := range storage.DefaultMailboxes {
		if m.Name == "INBOX" {
			continue
		}
		if err := db.DeleteMailbox(ctx, acc.ID, m.Name); err != nil {
			return acc, fmt.Errorf("answers account: %w", err)
		}
	}
	if _, err := db.CreateMailbox(ctx, acc.ID, answersFirstFolder, ""); err != nil {
		return acc, fmt.Errorf("answers account: %w", err)
	}
	return acc, nil
}
