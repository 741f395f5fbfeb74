package storage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. Keys and record formats are described where each bucket is
// used.
var (
	bucketMeta       = []byte("meta")        // counters
	bucketAccounts   = []byte("accounts")    // address → account JSON
	bucketAccountIDs = []byte("account_ids") // id → address
	bucketMailboxes  = []byte("mailboxes")   // account id + name → mailbox JSON
	bucketMailboxIDs = []byte("mailbox_ids") // mailbox id → account id + name
	bucketMessages   = []byte("messages")    // sub-bucket per mailbox id: uid → record
	bucketBlobs      = []byte("blobs")       // blob id → raw message
	bucketBlobInfo   = []byte("blob_info")   // blob id → refcount + sha256 + summary
	bucketBlobIDs    = []byte("blob_ids")    // sha256 → blob id
	bucketVerdicts   = []byte("verdicts")    // blob id → authentication verdict
	bucketQueue      = []byte("queue")       // id → queue entry JSON
	allBuckets       = [][]byte{bucketMeta, bucketAccounts, bucketAccountIDs, bucketMailboxes, bucketMailboxIDs, bucketMessages, bucketBlobs, bucketBlobInfo, bucketBlobIDs, bucketVerdicts, bucketQueue,
		bucketTeams, bucketCounsellors, bucketClients, bucketClientEmail, bucketClientDom,
		bucketAbsences, bucketAbsenceBy, bucketCaseLinks, bucketChanges}
	keyUIDValidity    = []byte("uidvalidity")
	keyAccountSeq     = []byte("account_seq")
	keyMailboxSeq     = []byte("mailbox_seq")
	keyQueueSeq       = []byte("queue_seq")
	keyBlobSeq        = []byte("blob_seq")
	keySchemaVersion  = []byte("schema")
	currentSchemaByte = byte(3)
)

// Options tune Open. The zero value is fine.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the file lock before giving up. Zero means one second.
	LockTimeout time.Duration
	// Logger receives storage events. Nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests inject it.
	Now func() time.Time
}

// DB is an open mailnet store. All methods are safe for concurrent use.
type DB struct {
	bolt   *bolt.DB
	log    *slog.Logger
	now    func() time.Time
	writes chan *writeReq
	done   chan struct{} // closed when the committer has exited
	stop   chan struct{} // closed by Close to stop the committer

	closeOnce sync.Once
	mu        sync.Mutex // guards closed
	closed    bool
	inflight  sync.WaitGroup // write calls between enqueue and reply

	watchers watchers
	stats    commitStats
	onCommit atomic.Pointer[func(writes int, d time.Duration)] // see ObserveCommits
}

// Open opens (creating if needed) the store at path. The directory is
// created with mode 0700. It fails with a timeout error if another process
// holds the file.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        opts.LockTimeout,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		// Reserve address space up front so the file can grow without
		// remapping (a remap waits for every open read transaction).
		InitialMmapSize: 1 << 30,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := bdb.Update(initSchema); err != nil {
		if cerr := bdb.Close(); cerr != nil {
			opts.Logger.Error("close after failed init", "err", cerr)
		}
		return nil, fmt.Errorf("initialise %s: %w", path, err)
	}
	db := &DB{
		bolt:   bdb,
		log:    opts.Logger,
		now:    opts.Now,
		writes: make(chan *writeReq, maxBatch),
		done:   make(chan struct{}),
		stop:   make(chan struct{}),
	}
	go db.commitLoop()
	return db, nil
}

func initSchema(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(keySchemaVersion)
	switch {
	case v == nil:
		if err := meta.Put(keySchemaVersion, []byte{currentSchemaByte}); err != nil {
			return err
		}
		// UIDVALIDITY values start at the creation time, so a store
		// rebuilt from scratch does not repeat an older store's values
		// (RFC 9051 §2.3.1.1).
		if err := putUint64(meta, keyUIDValidity, uint64(time.Now().Unix())); err != nil {
			return err
		}
	case len(v) != 1 || v[0] != currentSchemaByte:
		return fmt.Errorf("unknown schema version %v", v)
	}
	if err := auditByTime.build(tx); err != nil {
		return err
	}
	return initArchive(tx)
}

// Close waits for pending writes, stops the committer and closes the file.
// Calls made after Close return ErrClosed.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		db.mu.Lock()
		db.closed = true
		db.mu.Unlock()
		db.inflight.Wait()
		close(db.stop)
		<-db.done
		err = db.bolt.Close()
	})
	return err
}

// Path returns the file name of the store.
func (db *DB) Path() string { return db.bolt.Path() }

// Size returns the size in bytes of the store file.
func (db *DB) Size() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n, err
}

// view runs fn in a read-only transaction.
func (db *DB) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}
