package web

import (
	"fmt"
	"math"

	"mailnet/stats"
)

// chart is an inline SVG chart, laid out here and drawn by the template
// "chart" (templates/layout.html): rectangles, text and lines in a
// W×H view box.
type chart struct {
	ID     string
	Title  string
	W, H   float64
	Bars   []chartBar
	Labels []chartLabel
	Lines  []chartLine
}

type chartBar struct {
	X, Y, W, H float64
	Class      string
	Tip        string
}

type chartLabel struct {
	X, Y   float64
	Text   string
	Anchor string // start, middle, end
	Class  string
}

type chartLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

// Chart geometry: margins around the plot area.
const (
	chartLeft   = 40.0
	chartRight  = 10.0
	chartTop    = 10.0
	chartBottom = 40.0
)

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, at
// least 1, for the value axis.
func niceMax(v int) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(v))))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= float64(v) {
			return m * p
		}
	}
	return 10 * p
}

// axis adds the value axis of a vertical bar chart: 0, half and max.
func (c *chart) axis(max float64, plotH float64) {
	for _, f := range []float64{0, 0.5, 1} {
		y := chartTop + plotH*(1-f)
		c.Lines = append(c.Lines, chartLine{chartLeft, y, c.W - chartRight, y, "grid"})
		c.Labels = append(c.Labels, chartLabel{chartLeft - 4, y + 4, fmt.Sprintf("%g", max*f), "end", "axis"})
	}
}

// volumeChart draws received and sent messages per day, side by side.
func volumeChart(days []stats.Day) chart {
	c := chart{ID: "volume", Title: "Messages per day: received and sent", W: 720, H: 220}
	top := 0
	for _, d := range days {
		top = max(top, d.Received, d.Sent)
	}
	m := niceMax(top)
	plotW, plotH := c.W-chartLeft-chartRight, c.H-chartTop-chartBottom
	c.axis(m, plotH)
	if len(days) == 0 {
		return c
	}
	slot := plotW / float64(len(days))
	bw := max(slot*0.4, 0.5)
	every := int(math.Ceil(float64(len(days)) / 10)) // at most about 10 date labels
	for i, d := range days {
		x := chartLeft + float64(i)*slot
		for j, v := range []int{d.Received, d.Sent} {
			h := plotH * float64(v) / m
			class, what := "received", "received"
			if j == 1 {
				class, what = "sent", "sent"
			}
			c.Bars = append(c.Bars, chartBar{x + slot*0.1 + float64(j)*bw, chartTop + plotH - h, bw, h, class,
				fmt.Sprintf("%s: %d %s", d.Date, v, what)})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, chartLabel{x + slot/2, c.H - chartBottom + 14, d.Date[5:], "middle", "axis"})
		}
	}
	c.Labels = append(c.Labels,
		chartLabel{chartLeft, c.H - 6, "■ received", "start", "received"},
		chartLabel{chartLeft + 90, c.H - 6, "■ sent", "start", "sent"})
	return c
}

// histogramChart draws the distribution of response times.
func histogramChart(buckets []stats.Bucket) chart {
	c := chart{ID: "responses", Title: "Response time in business hours (commitment: 72 h)", W: 360, H: 220}
	top := 0
	for _, b := range buckets {
		top = max(top, b.Count)
	}
	m := niceMax(top)
	plotW, plotH := c.W-chartLeft-chartRight, c.H-chartTop-chartBottom
	c.axis(m, plotH)
	if len(buckets) == 0 {
		return c
	}
	slot := plotW / float64(len(buckets))
	for i, b := range buckets {
		x := chartLeft + float64(i)*slot
		h := plotH * float64(b.Count) / m
		class := "intime"
		if b.From >= 72 {
			class = "late"
		}
		c.Bars = append(c.Bars, chartBar{x + slot*0.1, chartTop + plotH - h, slot * 0.8, h, class,
			fmt.Sprintf("%s: %d answers", b.Label, b.Count)})
		c.Labels = append(c.Labels, chartLabel{x + slot/2, c.H - chartBottom + 14, b.Label, "middle", "axis"})
	}
	return c
}

// counsellorChart draws each counsellor's received messages as a
// horizontal bar, low-volume ones marked, with the team median as a line
// when one team is shown.
func counsellorChart(rep stats.Report) chart {
	var rows []stats.CounsellorFigures
	for _, t := range rep.Teams {
		rows = append(rows, t.Counsellors...)
	}
	const rowH, left = 22.0, 200.0
	c := chart{ID: "counsellors", Title: "Messages received per counsellor", W: 720, H: chartTop + rowH*float64(len(rows)) + 30}
	top := 0
	for _, r := range rows {
		top = max(top, r.Received)
	}
	m := niceMax(top)
	plotW := c.W - left - 40
	for i, r := range rows {
		y := chartTop + float64(i)*rowH
		w := plotW * float64(r.Received) / m
		class, mark := "received", ""
		if r.LowVolume {
			class, mark = "low", " ⚑ low volume"
		}
		c.Bars = append(c.Bars, chartBar{left, y + 3, w, rowH - 6, class, fmt.Sprintf("%s: %d received%s", r.Counsellor, r.Received, mark)})
		c.Labels = append(c.Labels,
			chartLabel{left - 6, y + rowH/2 + 4, r.Counsellor, "end", "axis"},
			chartLabel{left + w + 4, y + rowH/2 + 4, fmt.Sprintf("%d%s", r.Received, mark), "start", "value"})
	}
	if len(rep.Teams) == 1 && len(rows) > 0 {
		x := left + plotW*rep.Teams[0].MedianReceived/m
		c.Lines = append(c.Lines, chartLine{x, chartTop, x, c.H - 24, "median"})
		c.Labels = append(c.Labels, chartLabel{x, c.H - 10, fmt.Sprintf("team median %g", rep.Teams[0].MedianReceived), "middle", "median"})
	}
	return c
}
