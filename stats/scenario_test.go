package stats

import (
	"slices"
	"testing"
	"time"

	"mailnet/routing/sla"
	"mailnet/storage"
)

// paris parses "2006-01-02 15:04" in Europe/Paris.
func paris(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// scenario is a week of two teams, Monday 11 to Sunday 17 January 2027,
// seen on Wednesday 20 at noon. Every conversation's expected effect is
// written next to it; the tests below add them up by hand.
func scenario(t *testing.T) Input {
	t.Helper()
	cal, err := sla.New(sla.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	conv := func(id uint64, who, opened, answered, warned string) Conversation {
		c := Conversation{ID: id, Client: "C" + string(rune('0'+id)), Counsellor: who, Opened: paris(t, opened), Messages: 1}
		c.Due = cal.Due(c.Opened)
		if answered != "" {
			c.AnsweredAt, c.AnsweredBy = paris(t, answered), who
		}
		if warned != "" {
			c.WarnedAt = paris(t, warned)
		}
		return c
	}
	const marie, karim, paul, zoe, lucie = "marie@a.test", "karim@a.test", "paul@a.test", "zoe@a.test", "lucie@b.test"
	return Input{
		Period:   Period{From: paris(t, "2027-01-11 00:00"), To: paris(t, "2027-01-18 00:00")},
		Now:      paris(t, "2027-01-20 12:00"),
		Calendar: cal,
		Teams:    map[string]string{marie: "A", karim: "A", paul: "A", zoe: "A", lucie: "B"},
		Conversations: []Conversation{
			conv(1, marie, "2027-01-11 10:00", "2027-01-11 14:00", ""),                // 4 h, in time
			conv(2, marie, "2027-01-12 09:00", "2027-01-15 10:00", ""),                // due Fri 09:00: 73 h, late
			conv(3, marie, "2027-01-13 16:00", "", "2027-01-15 16:00"),                // due Mon 18 16:00: overdue now, notice in period
			conv(4, marie, "2027-01-15 16:00", "2027-01-18 10:00", ""),                // received in period, answered after it
			conv(5, karim, "2027-01-11 11:00", "2027-01-12 11:00", ""),                // 24 h, in time
			conv(6, karim, "2027-01-14 08:00", "", "2027-01-18 08:00"),                // due Tue 19 08:00: overdue now, notice after the period
			conv(7, paul, "2027-01-16 10:00", "", ""),                                 // Saturday: clock from Mon 18, due Thu 21: open, not overdue
			conv(8, paul, "2027-01-04 10:00", "2027-01-11 09:00", "2027-01-06 10:00"), // opened before the period: 119 h, late
			conv(9, lucie, "2027-01-11 10:00", "2027-01-11 12:00", ""),                // 2 h
			conv(10, lucie, "2027-01-12 10:00", "2027-01-13 10:00", ""),               // 24 h
			conv(11, lucie, "2027-01-13 10:00", "2027-01-13 18:00", ""),               // 8 h
			conv(12, lucie, "2027-01-14 10:00", "2027-01-17 10:00", ""),               // answered Sunday: 38 h
		},
	}
}

// core is Figures without the per-day and histogram slices, to compare in
// one go.
type core struct {
	Received, Sent, Answered, InTime, Late, Unanswered, Overdue, Notices int
	Median, P90                                                          float64
}

func coreOf(f Figures) core {
	return core{f.Received, f.Sent, f.Answered, f.AnsweredInTime, f.AnsweredLate, f.UnansweredNow, f.OverdueNow,
		f.Notices, f.MedianHours, f.P90Hours}
}

func TestComputeScenario(t *testing.T) {
	t.Parallel()
	rep := Compute(scenario(t))
	// Total responses, sorted: 2 4 8 24 24 38 73 119.
	if got, want := coreOf(rep.Total), (core{11, 8, 8, 6, 2, 3, 2, 1, 24, 86.8}); got != want {
		t.Errorf("total = %+v, want %+v", got, want)
	}
	if len(rep.Teams) != 2 || rep.Teams[0].Team != "A" || rep.Teams[1].Team != "B" {
		t.Fatalf("teams = %+v, want A and B", rep.Teams)
	}
	a, b := rep.Teams[0], rep.Teams[1]
	// A: responses 4 24 73 119.
	if got, want := coreOf(a.Figures), (core{7, 4, 4, 2, 2, 3, 2, 1, 48.5, 105.2}); got != want {
		t.Errorf("team A = %+v, want %+v", got, want)
	}
	// B: responses 2 8 24 38.
	if got, want := coreOf(b.Figures), (core{4, 4, 4, 4, 0, 0, 0, 0, 16, 33.8}); got != want {
		t.Errorf("team B = %+v, want %+v", got, want)
	}
	wantCounsellors := map[string]core{
		"karim@a.test": {2, 1, 1, 1, 0, 1, 1, 0, 24, 24},
		"marie@a.test": {4, 2, 2, 1, 1, 1, 1, 1, 38.5, 66.1},
		"paul@a.test":  {1, 1, 1, 0, 1, 1, 0, 0, 119, 119},
		"zoe@a.test":   {},
	}
	var names []string
	for _, c := range a.Counsellors {
		names = append(names, c.Counsellor)
		if got, want := coreOf(c.Figures), wantCounsellors[c.Counsellor]; got != want {
			t.Errorf("%s = %+v, want %+v", c.Counsellor, got, want)
		}
	}
	if want := []string{"karim@a.test", "marie@a.test", "paul@a.test", "zoe@a.test"}; !slices.Equal(names, want) {
		t.Errorf("team A counsellors %v, want %v (zoe without mail included)", names, want)
	}
	// Received 0 1 2 4: median 1.5, threshold 0.75: only zoe is below.
	if a.MedianReceived != 1.5 {
		t.Errorf("team A median received %v, want 1.5", a.MedianReceived)
	}
	for _, c := range a.Counsellors {
		if want := c.Counsellor == "zoe@a.test"; c.LowVolume != want {
			t.Errorf("%s low volume %v, want %v", c.Counsellor, c.LowVolume, want)
		}
	}
	if b.Counsellors[0].LowVolume {
		t.Errorf("lucie flagged alone in her team")
	}
}

func TestComputeScenarioPerDayAndHistogram(t *testing.T) {
	t.Parallel()
	rep := Compute(scenario(t))
	want := []Day{
		{"2027-01-11", 3, 3}, {"2027-01-12", 2, 1}, {"2027-01-13", 2, 2}, {"2027-01-14", 2, 0},
		{"2027-01-15", 1, 1}, {"2027-01-16", 1, 0}, {"2027-01-17", 0, 1},
	}
	if !slices.Equal(rep.Total.PerDay, want) {
		t.Errorf("per day = %v, want %v", rep.Total.PerDay, want)
	}
	var counts []int
	for _, b := range rep.Total.Histogram {
		counts = append(counts, b.Count)
	}
	if want := []int{2, 1, 3, 0, 1, 1}; !slices.Equal(counts, want) {
		t.Errorf("histogram = %v, want %v (%+v)", counts, want, rep.Total.Histogram)
	}
	if l := rep.Total.Histogram[5].Label; l != "≥ 96 h" {
		t.Errorf("last bucket label %q", l)
	}
}

// TestComputeMessagesSource checks that per-message input (the archive's)
// replaces the conversations as the volume source and nothing else.
func TestComputeMessagesSource(t *testing.T) {
	t.Parallel()
	in := scenario(t)
	in.Messages = append(FromConversations(in.Conversations),
		Message{Time: paris(t, "2027-01-13 17:00"), Direction: In, Client: "C3", Counsellor: "marie@a.test"}, // follow-up
		Message{Time: paris(t, "2027-01-19 09:00"), Direction: In, Client: "C6", Counsellor: "karim@a.test"}, // after the period
	)
	rep := Compute(in)
	if rep.Total.Received != 12 || rep.Total.PerDay[2].Received != 3 || rep.Total.Answered != 8 {
		t.Errorf("received %d, Wednesday %d, answered %d; want 12, 3, 8", rep.Total.Received, rep.Total.PerDay[2].Received, rep.Total.Answered)
	}
}

func TestLowVolumePercent(t *testing.T) {
	t.Parallel()
	in := scenario(t)
	in.LowVolumePercent = 100 // below the median 1.5: zoe (0) and paul (1)
	var low []string
	for _, c := range Compute(in).Teams[0].Counsellors {
		if c.LowVolume {
			low = append(low, c.Counsellor)
		}
	}
	if want := []string{"paul@a.test", "zoe@a.test"}; !slices.Equal(low, want) {
		t.Errorf("low volume at 100%% = %v, want %v", low, want)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		values []float64
		p      float64
		want   float64
	}{
		{nil, 0.5, 0},
		{[]float64{7}, 0.9, 7},
		{[]float64{1, 2, 3}, 0.5, 2},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9.1},
	}
	for _, tc := range tests {
		if got := percentile(tc.values, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", tc.values, tc.p, got, tc.want)
		}
	}
}

// TestFromArchive keeps the client messages and the messages to clients,
// nothing else.
func TestFromArchive(t *testing.T) {
	t.Parallel()
	at := paris(t, "2027-01-11 10:00")
	entries := []storage.ArchiveEntry{
		{Time: at, Direction: storage.DirectionIn, Client: "J1", Counsellor: "marie@a.test"},
		{Time: at, Direction: storage.DirectionIn}, // unknown sender
		{Time: at, Direction: storage.DirectionOut, Client: "J1", Counsellor: "marie@a.test"},
		{Time: at, Direction: storage.DirectionAck, Client: "J1", Counsellor: "marie@a.test"},
		{Time: at, Direction: storage.DirectionNotice, Client: "J1", Counsellor: "marie@a.test"},
		{Time: at, Direction: storage.DirectionInternal, Client: "J1", Counsellor: "marie@a.test"},
		{Time: at, Direction: storage.DirectionTombstone, Client: "J1", Counsellor: "marie@a.test"},
	}
	got := FromArchive(entries)
	want := []Message{{at, In, "J1", "marie@a.test"}, {at, Out, "J1", "marie@a.test"}}
	if !slices.Equal(got, want) {
		t.Errorf("FromArchive = %+v, want %+v", got, want)
	}
}
