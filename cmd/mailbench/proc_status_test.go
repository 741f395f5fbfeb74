package main

import (
	"errors"
	"testing"
)

// statusLive is an excerpt of a running process's /proc/PID/status.
const statusLive = `Name:	mailnet
Umask:	0022
State:	S (sleeping)
Pid:	4242
VmPeak:	 1291236 kB
VmSize:	 1291236 kB
VmHWM:	  151200 kB
VmRSS:	  120000 kB
RssAnon:	   70000 kB
RssFile:	   49000 kB
RssShmem:	    1000 kB
VmData:	  180000 kB
Threads:	9
`

func TestParseProcStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    procStatus
		wantErr error // nil: no error; errAny: any error
	}{
		{"live process", statusLive, procStatus{VmRSS: 120000, VmHWM: 151200, RssAnon: 70000, RssFile: 49000, RssShmem: 1000}, nil},
		{"zombie has no memory lines", "Name:\tmailnet\nState:\tZ (zombie)\n", procStatus{}, errNoMemoryFields},
		{"empty", "", procStatus{}, errNoMemoryFields},
		{"only VmRSS", "VmRSS:\t  2048 kB\n", procStatus{VmRSS: 2048}, nil},
		{"bad number", "VmRSS:\t  12x kB\n", procStatus{}, errAny},
		{"unexpected unit", "VmRSS:\t  12 MB\n", procStatus{}, errAny},
		{"missing unit", "VmRSS:\t  12\n", procStatus{}, errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseProcStatus([]byte(tc.in))
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr == errAny && err == nil, tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// errAny stands for any error in test tables.
var errAny = errors.New("any error")

func TestReadProcStatusSelf(t *testing.T) {
	t.Parallel()
	st := selfStatus()
	if st.VmRSS <= 0 || st.VmHWM < st.VmRSS || st.RssAnon+st.RssFile+st.RssShmem != st.VmRSS {
		t.Errorf("own status not consistent: %+v", st)
	}
}
