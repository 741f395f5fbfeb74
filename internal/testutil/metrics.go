package testutil

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Sample is one value of a scraped metric. A histogram gives two:
// name_count and name_sum.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Samples are the result of Scrape.
type Samples []Sample

// Scrape GETs /metrics from h in the Prometheus text format, as a scraper
// does, and parses the answer. It fails the test on any other status.
func Scrape(t testing.TB, h http.Handler) Samples {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	var out Samples
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out = append(out, Sample{name, labels, m.GetCounter().GetValue()})
			case dto.MetricType_GAUGE:
				out = append(out, Sample{name, labels, m.GetGauge().GetValue()})
			case dto.MetricType_HISTOGRAM:
				out = append(out, Sample{name + "_count", labels, float64(m.GetHistogram().GetSampleCount())},
					Sample{name + "_sum", maps.Clone(labels), m.GetHistogram().GetSampleSum()})
			default:
				out = append(out, Sample{name, labels, m.GetUntyped().GetValue()})
			}
		}
	}
	return out
}

// Value returns the sum of the samples named name whose labels include
// the given name, value pairs; 0 when there are none.
func (s Samples) Value(name string, labels ...string) float64 {
	var v float64
	for _, x := range s {
		if x.Name == name && hasLabels(x.Labels, labels) {
			v += x.Value
		}
	}
	return v
}

// Has reports whether a sample named name exists.
func (s Samples) Has(name string) bool {
	for _, x := range s {
		if x.Name == name {
			return true
		}
	}
	return false
}

func hasLabels(have map[string]string, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if have[pairs[i]] != pairs[i+1] {
			return false
		}
	}
	return true
}
