package storage

import (
	"errors"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Caseload buckets, created with the others at Open (read methods also
// treat a missing bucket as empty).
var (
	bucketTeams       = []byte("caseload_teams")       // team id → Team JSON
	bucketCounsellors = []byte("caseload_counsellors") // address → Counsellor JSON
	bucketClients     = []byte("caseload_clients")     // client id → Client JSON
	bucketClientEmail = []byte("caseload_emails")      // lower-cased email → client id
	bucketClientDom   = []byte("caseload_domains")     // lower-cased domain → client id
	bucketAbsences    = []byte("caseload_absences")    // absence id (8 bytes) → Absence JSON
	bucketAbsenceBy   = []byte("caseload_absence_by")  // counsellor + 0x00 + absence id → empty
	bucketCaseLinks   = []byte("caseload_links")       // client id + 0x00 + expert → CaseLink JSON
	bucketChanges     = []byte("caseload_changes")     // change seq (8 bytes) → Change JSON
	keyAbsenceSeq     = []byte("absence_seq")
	keyChangeSeq      = []byte("caseload_change_seq")
)

// Caseload sentinels. Callers compare with errors.Is.
var (
	// ErrInvalidCaseload reports a caseload value that cannot be stored: an
	// unknown kind, an empty identifier, an absence that ends before it
	// starts.
	ErrInvalidCaseload = errors.New("storage: invalid caseload data")
	// ErrConflict reports an email address or domain that already belongs
	// to another client, or two entries of one import that disagree.
	ErrConflict = errors.New("storage: caseload conflict")
)

// Kinds of counsellors (whom they serve) and of clients.
const (
	ServesJobseekers = "jobseekers"
	ServesEmployers  = "employers"
	ClientJobseeker  = "jobseeker"
	ClientEmployer   = "employer"
)

// Team is an agency's unit: the scope of shared reading and of a manager's
// decisions.
type Team struct {
	// ID is the short code of the team, e.g. "LYON3-EMP".
	ID     string `json:"id"`
	Agency string `json:"agency,omitempty"`
	Name   string `json:"name,omitempty"`
	// Managers are the lower-cased addresses of the managers' accounts.
	Managers []string `json:"managers,omitempty"`
	// ServiceAddresses are the team's shared addresses (contact@…). The
	// CSV import does not carry them: an import keeps the stored ones when
	// its team has none.
	ServiceAddresses []string `json:"service_addresses,omitempty"`
}

// Counsellor is the caseload side of a staff account.
type Counsellor struct {
	// Address is the account's lower-cased public address.
	Address string `json:"address"`
	// Kind is ServesJobseekers or ServesEmployers.
	Kind string `json:"kind"`
	// Team is the ID of the counsellor's team.
	Team string `json:"team"`
	// Expertise holds tags such as "benefits", "training", "youth".
	Expertise []string `json:"expertise,omitempty"`
}

// Client is a jobseeker or an employer with a personal counsellor.
type Client struct {
	// ID is the PES identifier.
	ID string `json:"id"`
	// Kind is ClientJobseeker or ClientEmployer.
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
	// Emails are lower-cased addresses; each belongs to one client only.
	Emails []string `json:"emails,omitempty"`
	// Domains are an employer's email domains, lower-cased; each belongs
	// to one client only.
	Domains []string `json:"domains,omitempty"`
	// Counsellor is the personal counsellor's address.
	Counsellor string `json:"counsellor"`
}

// Change is one entry of the caseload change log: who did what, when.
type Change struct {
	// Seq orders the log; it only grows.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	// Actor is who made the change (an account address, "import", …).
	Actor string `json:"actor"`
	// Action names the change, e.g. "client.create", "absence.end".
	Action string `json:"action"`
	// Subject is what changed: a client ID, a counsellor address, …
	Subject string `json:"subject"`
	// Detail is a short human-readable description.
	Detail string `json:"detail,omitempty"`
}

func validCounsellorKind(k string) bool { return k == ServesJobseekers || k == ServesEmployers }

func validClientKind(k string) bool { return k == ClientJobseeker || k == ClientEmployer }

// normSet lower-cases, trims, sorts and de-duplicates a set of addresses,
// domains or tags, so that equal sets compare equal.
func normSet(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// caseBucket returns the named bucket, or nil when no write has created it
// yet.
func caseBucket(tx *bolt.Tx, name []byte) *bolt.Bucket { return tx.Bucket(name) }

// wBucket returns the named bucket of a write transaction, creating it if
// needed.
func wBucket(w *writeTx, name []byte) (*bolt.Bucket, error) {
	return w.tx.CreateBucketIfNotExists(name)
}

// logChange appends c to the change log in w's transaction, assigning
// c.Seq and, when zero, c.Time.
func (db *DB) logChange(w *writeTx, c *Change) error {
	b, err := wBucket(w, bucketChanges)
	if err != nil {
		return err
	}
	seq, err := nextSeq(w.tx, keyChangeSeq)
	if err != nil {
		return err
	}
	c.Seq = seq
	if c.Time.IsZero() {
		c.Time = db.now().UTC()
	}
	return putJSON(b, u64(seq), c)
}
