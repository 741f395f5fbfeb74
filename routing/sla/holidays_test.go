package sla

import (
	"testing"
	"time"
)

// TestFrenchHolidays2027 checks what github.com/rickar/cal/v2/fr provides,
// the movable feasts included.
func TestFrenchHolidays2027(t *testing.T) {
	t.Parallel()
	c := newCal(t, DefaultOptions())
	for _, tc := range []struct {
		day  Date
		name string
	}{
		{Date{2027, time.January, 1}, "Nouvel an"},
		{Date{2027, time.March, 29}, "Lundi de Pâques"},
		{Date{2027, time.May, 1}, "Fête du Travail"},
		{Date{2027, time.May, 6}, "Ascension"},
		{Date{2027, time.May, 8}, "Fête de la Victoire"},
		{Date{2027, time.May, 17}, "Lundi de Pentecôte"},
		{Date{2027, time.July, 14}, "Fête Nationale"},
		{Date{2027, time.August, 15}, "Assomption"},
		{Date{2027, time.November, 1}, "Toussaint"},
		{Date{2027, time.November, 11}, "Armistice de 1918"},
		{Date{2027, time.December, 25}, "Noël"},
	} {
		if got := c.holiday(tc.day); got != tc.name {
			t.Errorf("holiday(%s) = %q, want %q", tc.day, got, tc.name)
		}
		noon := time.Date(tc.day.Year, tc.day.Month, tc.day.Day, 12, 0, 0, 0, c.Location())
		if c.IsBusinessDay(noon) {
			t.Errorf("IsBusinessDay(%s) = true on %s", tc.day, tc.name)
		}
	}
	for _, d := range []Date{{2027, time.March, 30}, {2027, time.May, 7}, {2027, time.December, 24}} {
		if got := c.holiday(d); got != "" {
			t.Errorf("holiday(%s) = %q, want none", d, got)
		}
	}
}

func TestIsBusinessDayUsesLocation(t *testing.T) {
	t.Parallel()
	c := newCal(t, DefaultOptions())
	// Friday 23:30 UTC is already Saturday in Paris.
	if c.IsBusinessDay(time.Date(2027, time.January, 15, 23, 30, 0, 0, time.UTC)) {
		t.Error("Saturday 00:30 Paris time counted as a business day")
	}
	if !c.IsBusinessDay(time.Date(2027, time.January, 15, 22, 30, 0, 0, time.UTC)) {
		t.Error("Friday 23:30 Paris time not a business day")
	}
}
