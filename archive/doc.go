// Package archive writes and checks exports of mailnet's immutable
// archive: a directory holding archive.mbox (the messages, mboxrd) and
// manifest.json (every exported entry with its chain hashes, and the
// archive's chain head at export time).
//
// An export is checked offline by VerifyExport, with no store: each
// entry's hash is recomputed from its fields (storage.ArchiveEntry.
// ComputeHash), entries that follow each other in the chain must link
// (prev equals the previous hash), and each message's bytes in the mbox
// must have the entry's SHA-256 and size. A full export (no filter) must
// also end at the recorded chain head.
//
// # Caveats
//
// A filtered export (one client, a period) holds entries that are not
// adjacent in the chain: each is self-authenticating (its hash covers its
// content and its predecessor's hash), and can be matched against the live
// archive or a later verification by its sequence number and hash, but the
// export alone cannot prove that no entry of the selection was left out.
// Messages are written as stored, CRLF line endings kept; mboxrd quoting
// (">From ") is the only change, undone before hashing.
package archive
