package main

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestStats runs "stats" on the store directly over the conversations of
// newConversationData: three open, J1's (marie) overdue; none in a team.
func TestStats(t *testing.T) {
	t.Parallel()
	data := newConversationData(t)
	out, err := runCLI(t, "", "stats", "--data", data)
	if err != nil {
		t.Fatalf("stats: %v\n%s", err, out)
	}
	lines := strings.Split(out, "\n")
	total := strings.Fields(lines[2])
	// total: received 3, answered 0, in time 0, late 0, unanswered 3, overdue 1.
	if len(total) < 7 || strings.Join(total[:7], " ") != "total 3 0 0 0 3 1" {
		t.Errorf("total line %q\n%s", lines[2], out)
	}
	for _, want := range []string{"team (no team)", "marie@mailnet.test", "paul@mailnet.test"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
	out, err = runCLI(t, "", "stats", "--csv", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][0] != "total" || rows[1][5] != "3" || rows[1][11] != "1" {
		t.Errorf("stats --csv: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "", "stats", "--from", "2027-02-01", "--to", "2027-01-01", "--data", data); err == nil {
		t.Error("stats with --from after --to succeeded")
	}
}
