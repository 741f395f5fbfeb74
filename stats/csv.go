package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"scope", "team", "counsellor", "from", "to", "received", "sent", "answered",
	"answered_in_time", "answered_late", "unanswered_now", "overdue_now", "notices", "median_hours",
	"p90_hours", "low_volume"}

// WriteCSV writes r as CSV (RFC 4180, comma-separated, header row): one
// row for the total, then for each team its row and its counsellors'. The
// scope column is "total", "team" or "counsellor"; dates are RFC 3339.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	from, to := r.Period.From.Format("2006-01-02T15:04:05Z07:00"), r.Period.To.Format("2006-01-02T15:04:05Z07:00")
	row := func(scope, team, who string, f Figures, low string) []string {
		return []string{scope, team, who, from, to, itoa(f.Received), itoa(f.Sent), itoa(f.Answered),
			itoa(f.AnsweredInTime), itoa(f.AnsweredLate), itoa(f.UnansweredNow), itoa(f.OverdueNow),
			itoa(f.Notices), ftoa(f.MedianHours), ftoa(f.P90Hours), low}
	}
	rows := [][]string{csvHeader, row("total", "", "", r.Total, "")}
	for _, t := range r.Teams {
		rows = append(rows, row("team", t.Team, "", t.Figures, ""))
		for _, c := range t.Counsellors {
			rows = append(rows, row("counsellor", t.Team, c.Counsellor, c.Figures, strconv.FormatBool(c.LowVolume)))
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write statistics csv: %w", err)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
