package caseload

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"mailnet/storage"
)

// Column names of the export; see the package documentation.
const (
	colClientID        = "client_id"
	colClientKind      = "client_kind"
	colClientName      = "client_name"
	colClientEmails    = "client_emails"
	colEmployerDomains = "employer_domains"
	colCounsellorEmail = "counsellor_email"
	colCounsellorKind  = "counsellor_kind"
	colTeamID          = "team_id"
	colTeamName        = "team_name"
	colAgency          = "agency"
	colManagerEmails   = "manager_emails"
	colServiceAddrs    = "team_service_addresses"
	colExpertise       = "expertise"
)

// columns lists every known column; required ones are marked.
var columns = []struct {
	name     string
	required bool
}{
	{colClientID, true}, {colClientKind, true}, {colClientName, false},
	{colClientEmails, false}, {colEmployerDomains, false},
	{colCounsellorEmail, true}, {colCounsellorKind, true},
	{colTeamID, true}, {colTeamName, false}, {colAgency, false},
	{colManagerEmails, false}, {colServiceAddrs, false}, {colExpertise, false},
}

// ErrHeader reports a header line that is missing, names an unknown
// column, repeats one, or lacks a required one.
var ErrHeader = errors.New("caseload: bad header")

// LineError is a bad row (or header) of the file.
type LineError struct {
	// Line is the 1-based line where the row starts; the header is line 1.
	Line int
	// Reasons say what is wrong, one per problem.
	Reasons []string
}

// Error returns "line N: " and the reasons.
func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, strings.Join(e.Reasons, "; "))
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ParseCSV reads the planning software's export (format in the package
// documentation). It returns either the whole batch or, when any row is
// bad, no batch and an error joining one *LineError per bad row.
func ParseCSV(r io.Reader) (storage.CaseloadBatch, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return storage.CaseloadBatch{}, err
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = detectSeparator(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return storage.CaseloadBatch{}, fmt.Errorf("%w: empty file", ErrHeader)
	}
	if err != nil {
		return storage.CaseloadBatch{}, fmt.Errorf("read header: %w", err)
	}
	cols, err := mapHeader(header)
	if err != nil {
		return storage.CaseloadBatch{}, err
	}
	a := newAssembler()
	var errs []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, err)
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(cols) {
			errs = append(errs, &LineError{Line: line, Reasons: []string{
				fmt.Sprintf("%d fields, the header has %d", len(rec), len(cols))}})
			continue
		}
		if reasons := a.add(line, rowOf(rec, cols)); len(reasons) > 0 {
			errs = append(errs, &LineError{Line: line, Reasons: reasons})
		}
	}
	if len(errs) > 0 {
		return storage.CaseloadBatch{}, errors.Join(errs...)
	}
	return a.batch(), nil
}

// detectSeparator returns ';' when the header line holds more semicolons
// than commas, ',' otherwise.
func detectSeparator(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.Count(head, []byte{';'}) > bytes.Count(head, []byte{','}) {
		return ';'
	}
	return ','
}

// mapHeader returns, for each field position, the column name found there.
func mapHeader(header []string) ([]string, error) {
	known := make(map[string]bool, len(columns))
	for _, c := range columns {
		known[c.name] = true
	}
	seen := map[string]bool{}
	cols := make([]string, len(header))
	var reasons []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known[name]:
			reasons = append(reasons, fmt.Sprintf("unknown column %q", h))
		case seen[name]:
			reasons = append(reasons, fmt.Sprintf("column %q repeated", h))
		}
		seen[name] = true
		cols[i] = name
	}
	for _, c := range columns {
		if c.required && !seen[c.name] {
			reasons = append(reasons, fmt.Sprintf("required column %q missing", c.name))
		}
	}
	if len(reasons) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrHeader, &LineError{Line: 1, Reasons: reasons})
	}
	return cols, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// rowOf maps a record to column name → trimmed value. Absent optional
// columns read as "".
func rowOf(rec, cols []string) map[string]string {
	row := make(map[string]string, len(cols))
	for i, c := range cols {
		row[c] = strings.TrimSpace(rec[i])
	}
	return row
}
