package caseload

import (
	"strings"
	"testing"
)

func FuzzParseCSV(f *testing.F) {
	f.Add(goodComma)
	f.Add(semicolons(goodComma))
	f.Add("\uFEFF" + header + "J1,jobseeker,j@example.org,,m@mailnet.test,jobseekers,T1,,\n")
	f.Add(header + "J1,employer,\"a@b.c|d@e.f\",b.c,m@x.y,employers,T1,\"x\"\"y\",a b\n")
	f.Add("client_id\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ParseCSV(strings.NewReader(in))
		if err != nil && len(b.Clients)+len(b.Counsellors)+len(b.Teams) != 0 {
			t.Fatalf("error %v came with a batch", err)
		}
		for _, c := range b.Clients {
			if c.ID == "" || c.Counsellor == "" {
				t.Fatalf("accepted incomplete client %+v", c)
			}
		}
	})
}
