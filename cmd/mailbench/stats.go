package main

import (
	"math"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value such that at least p % of the
// values are less than or equal to it. sorted must be in ascending order;
// an empty slice gives 0.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// p·n before the division keeps whole ranks exact: 99·200/100 is 198,
	// where 0.99·200 would be 198.00000000000003 and round up.
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// summary is the median, minimum and maximum of some durations.
type summary struct {
	Median, Min, Max time.Duration
}

// summarize returns the summary of ds, which it does not modify. An empty
// slice gives the zero summary.
func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return summary{Median: median(s), Min: s[0], Max: s[len(s)-1]}
}

// median returns the median of sorted (the mean of the two middle values
// for an even count). sorted must be non-empty and in ascending order.
func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
