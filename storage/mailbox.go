package storage

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Delimiter separates the levels of a mailbox name ("Clients/Dupont").
const Delimiter = '/'

// maxMailboxName bounds a mailbox name in bytes.
const maxMailboxName = 512

// Mailbox is one folder of an account.
type Mailbox struct {
	// ID identifies the mailbox for its whole life; a mailbox deleted and
	// created again gets a new ID.
	ID uint64 `json:"id"`
	// Account is the owning account's ID.
	Account uint64 `json:"account"`
	// Name is the full hierarchical name, Delimiter-separated, UTF-8.
	Name string `json:"name"`
	// UIDValidity never repeats for a name (RFC 9051 §2.3.1.1).
	UIDValidity uint32 `json:"uidvalidity"`
	// UIDNext is the UID the next message will get.
	UIDNext uint32 `json:"uidnext"`
	// SpecialUse is an RFC 6154 attribute such as `\Sent`, or empty.
	SpecialUse string `json:"special_use,omitempty"`
	// Subscribed is the LSUB/LIST SUBSCRIBED state.
	Subscribed bool `json:"subscribed,omitempty"`
	// Messages, Unseen and Size are kept exact by every write.
	Messages uint32 `json:"messages"`
	Unseen   uint32 `json:"unseen"`
	Size     int64  `json:"size"`
}

// NormalizeMailboxName returns the canonical form of name: INBOX in any
// case becomes "INBOX" (RFC 9051 §5.1). It returns ErrInvalidName for names
// that cannot be stored: empty, over 512 bytes, invalid UTF-8, control
// characters, the wildcards * and %, or empty levels.
func NormalizeMailboxName(name string) (string, error) {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX", nil
	}
	if len(name) > 5 && strings.EqualFold(name[:6], "INBOX/") {
		name = "INBOX" + name[5:]
	}
	if name == "" || len(name) > maxMailboxName || !utf8.ValidString(name) {
		return "", ErrInvalidName
	}
	for _, level := range strings.Split(name, string(Delimiter)) {
		if level == "" {
			return "", ErrInvalidName
		}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '*' || r == '%' {
			return "", ErrInvalidName
		}
	}
	return name, nil
}

func mailboxKey(account uint64, name string) []byte {
	return append(u64(account), name...)
}

// Mailboxes returns the account's mailboxes ordered by name.
func (db *DB) Mailboxes(ctx context.Context, account uint64) ([]Mailbox, error) {
	var out []Mailbox
	err := db.view(ctx, func(tx *bolt.Tx) error {
		prefix := u64(account)
		c := tx.Bucket(bucketMailboxes).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var m Mailbox
			if err := decodeMailbox(v, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// Mailbox returns the account's mailbox with the given name, or
// ErrNotFound.
func (db *DB) Mailbox(ctx context.Context, account uint64, name string) (Mailbox, error) {
	name, err := NormalizeMailboxName(name)
	if err != nil {
		return Mailbox{}, err
	}
	var m Mailbox
	err = db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		m, err = getMailbox(tx, account, name)
		return err
	})
	return m, err
}

// MailboxByID returns the mailbox with the given ID, or ErrNotFound.
func (db *DB) MailboxByID(ctx context.Context, id uint64) (Mailbox, error) {
	var m Mailbox
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		m, err = getMailboxByID(tx, id)
		return err
	})
	return m, err
}

// CreateMailbox creates a mailbox, and any missing parent levels (RFC 9051
// §6.3.4). It returns ErrExists if the name is taken.
func (db *DB) CreateMailbox(ctx context.Context, account uint64, name, specialUse string) (Mailbox, error) {
	name, err := NormalizeMailboxName(name)
	if err != nil {
		return Mailbox{}, err
	}
	var m Mailbox
	err = db.write(ctx, func(w *writeTx) error {
		if _, err := getMailbox(w.tx, account, name); err == nil {
			return ErrExists
		}
		levels := strings.Split(name, string(Delimiter))
		for i := 1; i < len(levels); i++ {
			parent := strings.Join(levels[:i], string(Delimiter))
			if _, err := getMailbox(w.tx, account, parent); err == ErrNotFound {
				if _, err := createMailbox(w, account, parent, "", false); err != nil {
					return err
				}
			}
		}
		var err error
		m, err = createMailbox(w, account, name, specialUse, false)
		return err
	})
	if err != nil {
		return Mailbox{}, fmt.Errorf("create mailbox %q: %w", name, err)
	}
	return m, nil
}

// createMailbox stores a new mailbox; the caller checked it is absent.
func createMailbox(w *writeTx, account uint64, name, specialUse string, subscribed bool) (Mailbox, error) {
	id, err := nextSeq(w.tx, keyMailboxSeq)
	if err != nil {
		return Mailbox{}, err
	}
	validity, err := nextSeq(w.tx, keyUIDValidity)
	if err != nil {
		return Mailbox{}, err
	}
	m := Mailbox{
		ID: id, Account: account, Name: name,
		UIDValidity: uint32(validity), UIDNext: 1,
		SpecialUse: specialUse, Subscribed: subscribed,
	}
	if _, err := w.tx.Bucket(bucketMessages).CreateBucket(u64(id)); err != nil {
		return Mailbox{}, err
	}
	if err := w.tx.Bucket(bucketMailboxIDs).Put(u64(id), mailboxKey(account, name)); err != nil {
		return Mailbox{}, err
	}
	return m, putMailbox(w.tx, m)
}

func putMailbox(tx *bolt.Tx, m Mailbox) error {
	return putJSON(tx.Bucket(bucketMailboxes), mailboxKey(m.Account, m.Name), m)
}

func decodeMailbox(v []byte, m *Mailbox) error {
	return jsonUnmarshal(v, m)
}

func getMailbox(tx *bolt.Tx, account uint64, name string) (Mailbox, error) {
	var m Mailbox
	err := getJSON(tx.Bucket(bucketMailboxes), mailboxKey(account, name), &m)
	return m, err
}

func getMailboxByID(tx *bolt.Tx, id uint64) (Mailbox, error) {
	key := tx.Bucket(bucketMailboxIDs).Get(u64(id))
	if key == nil {
		return Mailbox{}, ErrNotFound
	}
	var m Mailbox
	err := getJSON(tx.Bucket(bucketMailboxes), key, &m)
	return m, err
}

// SetSubscribed sets the subscription state of a mailbox.
func (db *DB) SetSubscribed(ctx context.Context, account uint64, name string, subscribed bool) error {
	name, err := NormalizeMailboxName(name)
	if err != nil {
		return err
	}
	return db.write(ctx, func(w *writeTx) error {
		m, err := getMailbox(w.tx, account, name)
		if err != nil {
			return err
		}
		m.Subscribed = subscribed
		return putMailbox(w.tx, m)
	})
}

// hasChildren reports whether name has inferior mailboxes.
func hasChildren(tx *bolt.Tx, account uint64, name string) bool {
	prefix := mailboxKey(account, name+string(Delimiter))
	k, _ := tx.Bucket(bucketMailboxes).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// DeleteMailbox removes a mailbox and its message entries. INBOX cannot be
// deleted (ErrProtected), nor a mailbox with children (ErrHasChildren).
// Message bodies still referenced elsewhere are kept.
func (db *DB) DeleteMailbox(ctx context.Context, account uint64, name string) error {
	name, err := NormalizeMailboxName(name)
	if err != nil {
		return err
	}
	if name == "INBOX" {
		return ErrProtected
	}
	return db.write(ctx, func(w *writeTx) error {
		m, err := getMailbox(w.tx, account, name)
		if err != nil {
			return err
		}
		if hasChildren(w.tx, account, name) {
			return ErrHasChildren
		}
		msgs := w.tx.Bucket(bucketMessages).Bucket(u64(m.ID))
		if err := msgs.ForEach(func(_, v []byte) error {
			rec, err := decodeRecord(v)
			if err != nil {
				return err
			}
			return unrefBlob(w.tx, rec.blob)
		}); err != nil {
			return err
		}
		if err := w.tx.Bucket(bucketMessages).DeleteBucket(u64(m.ID)); err != nil {
			return err
		}
		if err := w.tx.Bucket(bucketMailboxIDs).Delete(u64(m.ID)); err != nil {
			return err
		}
		w.emit(Event{Kind: EventMailboxDeleted, MailboxID: m.ID})
		return w.tx.Bucket(bucketMailboxes).Delete(mailboxKey(account, name))
	})
}

// RenameMailbox renames a mailbox and its children. Renaming INBOX moves
// its messages into a new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
func (db *DB) RenameMailbox(ctx context.Context, account uint64, from, to string) error {
	from, err := NormalizeMailboxName(from)
	if err != nil {
		return err
	}
	to, err = NormalizeMailboxName(to)
	if err != nil {
		return err
	}
	if to == "INBOX" || strings.HasPrefix(to, from+string(Delimiter)) {
		return ErrProtected
	}
	return db.write(ctx, func(w *writeTx) error {
		if _, err := getMailbox(w.tx, account, from); err != nil {
			return err
		}
		if _, err := getMailbox(w.tx, account, to); err == nil {
			return ErrExists
		}
		if from == "INBOX" {
			return renameInbox(w, account, to)
		}
		var olds []Mailbox
		prefix := mailboxKey(account, from)
		c := w.tx.Bucket(bucketMailboxes).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var m Mailbox
			if err := decodeMailbox(v, &m); err != nil {
				return err
			}
			if m.Name == from || strings.HasPrefix(m.Name, from+string(Delimiter)) {
				olds = append(olds, m)
			}
		}
		for _, m := range olds {
			if err := w.tx.Bucket(bucketMailboxes).Delete(mailboxKey(account, m.Name)); err != nil {
				return err
			}
			m.Name = to + m.Name[len(from):]
			if err := putMailbox(w.tx, m); err != nil {
				return err
			}
			if err := w.tx.Bucket(bucketMailboxIDs).Put(u64(m.ID), mailboxKey(account, m.Name)); err != nil {
				return err
			}
		}
		return nil
	})
}

// renameInbox creates mailbox to and moves every INBOX message into it.
func renameInbox(w *writeTx, account uint64, to string) error {
	inbox, err := getMailbox(w.tx, account, "INBOX")
	if err != nil {
		return err
	}
	dst, err := createMailbox(w, account, to, "", false)
	if err != nil {
		return err
	}
	var uids []uint32
	if err := w.tx.Bucket(bucketMessages).Bucket(u64(inbox.ID)).ForEach(func(k, _ []byte) error {
		uids = append(uids, beUint32(k))
		return nil
	}); err != nil {
		return err
	}
	_, err = moveMessages(w, inbox.ID, uids, dst.ID)
	return err
}
