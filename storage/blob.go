package storage

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Blob info values are refcount(8) followed by the encoded summary.

// refBlob stores raw under h if it is new, and counts one more reference.
func refBlob(tx *bolt.Tx, h Hash, raw, summary []byte) error {
	info := tx.Bucket(bucketBlobInfo)
	v := info.Get(h[:])
	if v == nil {
		if err := tx.Bucket(bucketBlobs).Put(h[:], raw); err != nil {
			return err
		}
		nv := make([]byte, 8+len(summary))
		binary.BigEndian.PutUint64(nv, 1)
		copy(nv[8:], summary)
		return info.Put(h[:], nv)
	}
	return addRefs(tx, h, 1)
}

// addRefs adds n references to an existing blob.
func addRefs(tx *bolt.Tx, h Hash, n uint64) error {
	info := tx.Bucket(bucketBlobInfo)
	v := info.Get(h[:])
	if len(v) < 8 {
		return fmt.Errorf("blob %s: %w", h, ErrNotFound)
	}
	nv := make([]byte, len(v))
	copy(nv, v)
	binary.BigEndian.PutUint64(nv, binary.BigEndian.Uint64(v)+n)
	return info.Put(h[:], nv)
}

// unrefBlob drops one reference and deletes the blob with its last one.
func unrefBlob(tx *bolt.Tx, h Hash) error {
	info := tx.Bucket(bucketBlobInfo)
	v := info.Get(h[:])
	if len(v) < 8 {
		return fmt.Errorf("blob %s: %w", h, ErrNotFound)
	}
	n := binary.BigEndian.Uint64(v)
	if n <= 1 {
		if err := tx.Bucket(bucketBlobs).Delete(h[:]); err != nil {
			return err
		}
		return info.Delete(h[:])
	}
	nv := make([]byte, len(v))
	copy(nv, v)
	binary.BigEndian.PutUint64(nv, n-1)
	return info.Put(h[:], nv)
}

// blobSummary returns a copy of the summary stored for h.
func blobSummary(tx *bolt.Tx, h Hash) []byte {
	v := tx.Bucket(bucketBlobInfo).Get(h[:])
	if len(v) < 8 {
		return nil
	}
	return append([]byte(nil), v[8:]...)
}

// blobRaw returns a copy of the raw message stored for h.
func blobRaw(tx *bolt.Tx, h Hash) []byte {
	v := tx.Bucket(bucketBlobs).Get(h[:])
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}
