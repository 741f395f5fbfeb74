package stats

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := WriteCSV(&b, Compute(scenario(t))); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, b.String())
	}
	// Header, total, team A and its 4 counsellors, team B and lucie.
	if len(rows) != 9 {
		t.Fatalf("%d rows, want 9:\n%s", len(rows), b.String())
	}
	want := map[int]string{
		1: "total,,,2027-01-11T00:00:00+01:00,2027-01-18T00:00:00+01:00,11,8,8,6,2,3,2,1,24,86.8,",
		2: "team,A,,2027-01-11T00:00:00+01:00,2027-01-18T00:00:00+01:00,7,4,4,2,2,3,2,1,48.5,105.2,",
		6: "counsellor,A,zoe@a.test,2027-01-11T00:00:00+01:00,2027-01-18T00:00:00+01:00,0,0,0,0,0,0,0,0,0,0,true",
	}
	for i, line := range want {
		if got := strings.Join(rows[i], ","); got != line {
			t.Errorf("row %d = %s\nwant     %s", i, got, line)
		}
	}
}
