package conf

import (
	"strings"
	"testing"
	"time"
)

func TestSLAParse(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(`[sla]
rule = "office_hours"
office_start = "08:30"
office_end = "24:00"
weekdays = ["MON", "sat"]
extra_closed = ["2026-12-24"]
notice_before = "8h"
acknowledge = false
`))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.SLA
	if s.Rule != "office_hours" || s.OfficeStart.Duration != 8*time.Hour+30*time.Minute || s.OfficeEnd.Duration != 24*time.Hour ||
		len(s.Weekdays) != 2 || s.Weekdays[1].Weekday != time.Saturday ||
		len(s.ExtraClosed) != 1 || s.ExtraClosed[0] != (Date{2026, time.December, 24}) || s.NoticeBefore.Duration != 8*time.Hour || s.Acknowledge {
		t.Fatalf("parsed %+v", s)
	}
}

func TestSLAInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, toml, key string
	}{
		{"zone", `time_zone = "Europe/Atlantis"`, "sla.time_zone"},
		{"empty zone", `time_zone = ""`, "sla.time_zone"},
		{"zero hours", `hours = 0`, "sla.hours"},
		{"too many hours", `hours = 1001`, "sla.hours"},
		{"rule", `rule = "calendar_days"`, "sla.rule"},
		{"office order", "office_start = \"17:00\"\noffice_end = \"09:00\"", "sla.office_end"},
		{"office time", `office_start = "9h"`, "sla.office_start"},
		{"office 25:00", `office_end = "25:00"`, "sla.office_end"},
		{"weekday", `weekdays = ["monday"]`, "sla.weekdays"},
		{"no weekdays", `weekdays = []`, "sla.weekdays"},
		{"date", `extra_closed = ["24/12/2026"]`, "sla.extra_closed"},
		{"impossible date", `extra_closed = ["2026-02-30"]`, "sla.extra_closed"},
		{"notice", `notice_before = "0s"`, "sla.notice_before"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte("[sla]\n" + tc.toml + "\n"))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("Parse(%q) = %v, want an error for %s", tc.toml, err, tc.key)
			}
		})
	}
}
