package stats

// Report is the result of Compute: the figures of the whole scope, of
// each team and of each counsellor.
type Report struct {
	Period Period `json:"period"`
	// Total covers every conversation and message of the input.
	Total Figures `json:"total"`
	// Teams are ordered by ID; a team "" gathers the counsellors that the
	// input's Teams does not know.
	Teams []TeamFigures `json:"teams"`
	// LowVolumePercent is the threshold the flags were computed with.
	LowVolumePercent int `json:"low_volume_percent"`
}

// Figures are the statistics of one scope (everything, a team, a
// counsellor); the package documentation defines each.
type Figures struct {
	Received       int `json:"received"`
	Sent           int `json:"sent"`
	Answered       int `json:"answered"`
	AnsweredInTime int `json:"answered_in_time"`
	AnsweredLate   int `json:"answered_late"`
	UnansweredNow  int `json:"unanswered_now"`
	OverdueNow     int `json:"overdue_now"`
	Notices        int `json:"notices"`
	// MedianHours and P90Hours are response times in business hours; 0
	// when nothing was answered (see Answered).
	MedianHours float64 `json:"median_hours"`
	P90Hours    float64 `json:"p90_hours"`
	// Histogram is the distribution of the response times over
	// ResponseBuckets.
	Histogram []Bucket `json:"histogram"`
	// PerDay has one entry per calendar day of the period, in order.
	PerDay []Day `json:"per_day"`

	responses []float64 // business hours of each answer, for Histogram and the percentiles
}

// TeamFigures are a team's figures and its counsellors'.
type TeamFigures struct {
	Team string `json:"team"`
	Figures
	// MedianReceived is the median of the counsellors' Received, the base
	// of the low-volume flag.
	MedianReceived float64 `json:"median_received"`
	// Counsellors are ordered by address.
	Counsellors []CounsellorFigures `json:"counsellors"`
}

// CounsellorFigures are one counsellor's figures.
type CounsellorFigures struct {
	Counsellor string `json:"counsellor"`
	Team       string `json:"team"`
	Figures
	// LowVolume flags a counsellor receiving far fewer messages than the
	// team's median (see the package documentation).
	LowVolume bool `json:"low_volume"`
}

// Day is the volume of one calendar day.
type Day struct {
	// Date is "2006-01-02" in the calendar's time zone.
	Date     string `json:"date"`
	Received int    `json:"received"`
	Sent     int    `json:"sent"`
}

// Bucket is one bar of the response-time histogram: answers that took at
// least From and less than To business hours (To 0: no upper bound).
type Bucket struct {
	Label string  `json:"label"`
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}

// ResponseBuckets are the histogram's bounds in business hours: the
// commitment (72 hours) is a bound, so the bars before it are in time.
var ResponseBuckets = []float64{0, 8, 24, 48, 72, 96}
