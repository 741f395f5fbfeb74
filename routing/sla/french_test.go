package sla

import (
	"testing"
	"time"
)

func TestFrenchDate(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 12, 3, 10, 0, 0, 0, paris), "jeudi 3 décembre 2026 à 10 h 00"},
		{time.Date(2026, 12, 1, 9, 5, 0, 0, paris), "mardi 1er décembre 2026 à 9 h 05"},
		{time.Date(2026, 2, 1, 0, 0, 0, 0, paris), "dimanche 1er février 2026 à 0 h 00"},
		{time.Date(2026, 8, 15, 23, 59, 0, 0, paris), "samedi 15 août 2026 à 23 h 59"},
		{time.Date(2027, 1, 11, 17, 30, 0, 0, paris), "lundi 11 janvier 2027 à 17 h 30"},
		// Printed in the time's own location: 10:00 UTC is 12:00 in Paris in summer.
		{time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC).In(paris), "mercredi 1er juillet 2026 à 12 h 00"},
	}
	for _, tc := range tests {
		if got := FrenchDate(tc.t); got != tc.want {
			t.Errorf("FrenchDate(%s) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
