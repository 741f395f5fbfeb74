package stats

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Compute computes the report of in. It does not modify in.
func Compute(in Input) Report {
	pct := in.LowVolumePercent
	if pct == 0 {
		pct = DefaultLowVolumePercent
	}
	msgs := in.Messages
	if msgs == nil {
		msgs = FromConversations(in.Conversations)
	}
	days := periodDays(in)
	acc := newAccumulator(in, days)
	for _, c := range in.Conversations {
		acc.conversation(c)
	}
	for _, m := range msgs {
		acc.message(m)
	}
	rep := Report{Period: in.Period, Total: acc.total.finish(), LowVolumePercent: pct}
	for _, team := range slices.Sorted(maps.Keys(acc.teams)) {
		tf := TeamFigures{Team: team, Figures: acc.teams[team].finish()}
		var received []float64
		for _, who := range slices.Sorted(maps.Keys(acc.members[team])) {
			cf := CounsellorFigures{Counsellor: who, Team: team, Figures: acc.counsellors[who].finish()}
			tf.Counsellors = append(tf.Counsellors, cf)
			received = append(received, float64(cf.Received))
		}
		slices.Sort(received)
		tf.MedianReceived = percentile(received, 0.5)
		if len(tf.Counsellors) >= 2 && tf.MedianReceived > 0 {
			for i := range tf.Counsellors {
				cf := &tf.Counsellors[i]
				cf.LowVolume = float64(cf.Received)*100 < float64(pct)*tf.MedianReceived
			}
		}
		rep.Teams = append(rep.Teams, tf)
	}
	return rep
}

// accumulator adds records to the figures of every scope they count for.
type accumulator struct {
	in          Input
	dayIndex    map[string]int
	days        []string
	total       *Figures
	teams       map[string]*Figures
	counsellors map[string]*Figures
	members     map[string]map[string]bool // team → counsellors
}

func newAccumulator(in Input, days []string) *accumulator {
	a := &accumulator{in: in, days: days, dayIndex: map[string]int{}, teams: map[string]*Figures{},
		counsellors: map[string]*Figures{}, members: map[string]map[string]bool{}}
	for i, d := range days {
		a.dayIndex[d] = i
	}
	a.total = a.newFigures()
	for who := range in.Teams {
		a.scopes(who)
	}
	return a
}

func (a *accumulator) newFigures() *Figures {
	f := &Figures{PerDay: make([]Day, len(a.days))}
	for i, d := range a.days {
		f.PerDay[i].Date = d
	}
	return f
}

// scopes returns the figures a record of counsellor counts in: the total,
// the team's and the counsellor's, creating them as needed.
func (a *accumulator) scopes(counsellor string) [3]*Figures {
	who := strings.ToLower(counsellor)
	team := a.in.Teams[who]
	if a.teams[team] == nil {
		a.teams[team] = a.newFigures()
		a.members[team] = map[string]bool{}
	}
	if a.counsellors[who] == nil {
		a.counsellors[who] = a.newFigures()
	}
	a.members[team][who] = true
	return [3]*Figures{a.total, a.teams[team], a.counsellors[who]}
}

func (a *accumulator) conversation(c Conversation) {
	p, now := a.in.Period, a.in.Now
	answered := c.Answered() && p.Contains(c.AnsweredAt)
	var hours float64
	if answered {
		hours = a.in.Calendar.Elapsed(c.Opened, c.AnsweredAt).Hours()
	}
	for _, f := range a.scopes(c.Counsellor) {
		if answered {
			f.Answered++
			if c.AnsweredAt.Before(c.Due) {
				f.AnsweredInTime++
			} else {
				f.AnsweredLate++
			}
			f.responses = append(f.responses, hours)
		}
		if !c.Answered() && !c.Opened.After(now) {
			f.UnansweredNow++
			if c.Overdue(now) {
				f.OverdueNow++
			}
		}
		if p.Contains(c.WarnedAt) {
			f.Notices++
		}
	}
}

func (a *accumulator) message(m Message) {
	if !a.in.Period.Contains(m.Time) {
		return
	}
	day, inDays := a.dayIndex[m.Time.In(a.in.Calendar.Location()).Format(time.DateOnly)]
	for _, f := range a.scopes(m.Counsellor) {
		switch m.Direction {
		case In:
			f.Received++
			if inDays {
				f.PerDay[day].Received++
			}
		case Out:
			f.Sent++
			if inDays {
				f.PerDay[day].Sent++
			}
		}
	}
}

// finish computes the percentiles and the histogram.
func (f *Figures) finish() Figures {
	slices.Sort(f.responses)
	f.MedianHours = round1(percentile(f.responses, 0.5))
	f.P90Hours = round1(percentile(f.responses, 0.9))
	f.Histogram = histogram(f.responses)
	return *f
}

// periodDays lists the calendar days of the period, in the calendar's
// time zone, as "2006-01-02". A period of more than about three years
// lists none (the per-day volume would be unreadable anyway).
func periodDays(in Input) []string {
	loc := in.Calendar.Location()
	from, to := in.Period.From.In(loc), in.Period.To.In(loc)
	if !from.Before(to) || to.Sub(from) > 3*366*24*time.Hour {
		return nil
	}
	var days []string
	for d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc); d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return days
}

// percentile returns the p-quantile (0 ≤ p ≤ 1) of sorted values, by
// linear interpolation between the closest ranks (Hyndman and Fan's
// definition 7, the usual median), or 0 for no values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// histogram counts sorted response times over ResponseBuckets.
func histogram(sorted []float64) []Bucket {
	out := make([]Bucket, len(ResponseBuckets))
	for i, from := range ResponseBuckets {
		out[i].From = from
		if i+1 < len(ResponseBuckets) {
			out[i].To = ResponseBuckets[i+1]
			out[i].Label = fmt.Sprintf("%g–%g h", from, out[i].To)
		} else {
			out[i].Label = fmt.Sprintf("≥ %g h", from)
		}
	}
	for _, h := range sorted {
		i := len(ResponseBuckets) - 1
		for i > 0 && h < ResponseBuckets[i] {
			i--
		}
		out[i].Count++
	}
	return out
}

// round1 rounds to one decimal, the precision shown.
func round1(v float64) float64 { return math.Round(v*10) / 10 }
