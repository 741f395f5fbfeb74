package caseload

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"mailnet/storage"
)

const goodComma = `client_id,client_kind,client_name,client_emails,employer_domains,counsellor_email,counsellor_kind,team_id,team_name,agency,manager_emails,expertise
J1,jobseeker,"Martin, Jean",Jean@Example.org|jean.martin@example.org,,Marie@mailnet.test,jobseekers,T1,Emploi,Lyon,boss@mailnet.test,benefits youth
E1,employer,"ACME ""France""",rh@acme.fr,acme.fr acme.com,paul@mailnet.test,employers,T1,,,,
J2,jobseeker,Zoé,zoe@example.org,,marie@mailnet.test,jobseekers,T1,Emploi,,,youth|benefits
J1,jobseeker,"Martin, Jean",jean.martin@example.org jean@example.org,,marie@mailnet.test,jobseekers,T1,,,,benefits youth
`

// wantGood is the batch of goodComma, whatever the separator.
func wantGood() storage.CaseloadBatch {
	return storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "T1", Agency: "Lyon", Name: "Emploi", Managers: []string{"boss@mailnet.test"}}},
		Counsellors: []storage.Counsellor{
			{Address: "marie@mailnet.test", Kind: "jobseekers", Team: "T1", Expertise: []string{"benefits", "youth"}},
			{Address: "paul@mailnet.test", Kind: "employers", Team: "T1"},
		},
		Clients: []storage.Client{
			{ID: "J1", Kind: "jobseeker", Name: "Martin, Jean", Emails: []string{"jean.martin@example.org", "jean@example.org"}, Counsellor: "marie@mailnet.test"},
			{ID: "E1", Kind: "employer", Name: `ACME "France"`, Emails: []string{"rh@acme.fr"}, Domains: []string{"acme.com", "acme.fr"}, Counsellor: "paul@mailnet.test"},
			{ID: "J2", Kind: "jobseeker", Name: "Zoé", Emails: []string{"zoe@example.org"}, Counsellor: "marie@mailnet.test"},
		},
	}
}

// semicolons turns goodComma into a French spreadsheet export. The
// replacer tries its pairs in order, so the quoted name keeps its comma.
func semicolons(s string) string {
	r := strings.NewReplacer(`"Martin, Jean"`, `"Martin, Jean"`, ",", ";")
	return r.Replace(s)
}

func TestParseCSVGood(t *testing.T) {
	t.Parallel()
	reordered := "EXPERTISE, Team_ID ,counsellor_kind,counsellor_email,client_kind,client_id\n" +
		"youth,T1,jobseekers,marie@mailnet.test,jobseeker,J1\n\n;;\n"
	tests := []struct {
		name string
		in   string
		want storage.CaseloadBatch
	}{
		{"comma", goodComma, wantGood()},
		{"semicolon", semicolons(goodComma), wantGood()},
		{"BOM", "\uFEFF" + goodComma, wantGood()},
		{"BOM semicolon CRLF", "\uFEFF" + strings.ReplaceAll(semicolons(goodComma), "\n", "\r\n"), wantGood()},
		{"order free, optional columns absent, blank rows", strings.ReplaceAll(reordered, ";;", ",,,,,"), storage.CaseloadBatch{
			Teams:       []storage.Team{{ID: "T1"}},
			Counsellors: []storage.Counsellor{{Address: "marie@mailnet.test", Kind: "jobseekers", Team: "T1", Expertise: []string{"youth"}}},
			Clients:     []storage.Client{{ID: "J1", Kind: "jobseeker", Counsellor: "marie@mailnet.test"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCSV(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseCSVSemicolonKeepsCommaInName(t *testing.T) {
	t.Parallel()
	in := "client_id;client_kind;client_name;counsellor_email;counsellor_kind;team_id\n" +
		"J1;jobseeker;Martin, Jean;marie@mailnet.test;jobseekers;T1\n"
	got, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got.Clients[0].Name != "Martin, Jean" {
		t.Errorf("name = %q", got.Clients[0].Name)
	}
}

const header = "client_id,client_kind,client_emails,employer_domains,counsellor_email,counsellor_kind,team_id,team_name,expertise\n"

func TestParseCSVBadRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		// want maps each bad line to a word its reasons must contain.
		want map[int]string
	}{
		{"missing field", header + "J1,jobseeker,j@example.org,,m@mailnet.test,jobseekers,T1,Emploi\n", map[int]string{2: "8 fields"}},
		{"bad client kind", header + "J1,student,j@example.org,,m@mailnet.test,jobseekers,T1,,\n", map[int]string{2: "student"}},
		{"bad counsellor kind", header + "J1,jobseeker,j@example.org,,m@mailnet.test,everyone,T1,,\n", map[int]string{2: "everyone"}},
		{"kinds disagree", header + "J1,jobseeker,j@example.org,,m@mailnet.test,employers,T1,,\n", map[int]string{2: "cannot have"}},
		{"bad email", header + "J1,jobseeker,j@example.org|not-an-address,,m@mailnet.test,jobseekers,T1,,\n", map[int]string{2: "not-an-address"}},
		{"display name in email", header + "J1,jobseeker,\"Jean <j@example.org>\",,m@mailnet.test,jobseekers,T1,,\n", map[int]string{2: "client_emails"}},
		{"bad counsellor email", header + "J1,jobseeker,,,marie,jobseekers,T1,,\n", map[int]string{2: "counsellor_email"}},
		{"jobseeker with domain", header + "J1,jobseeker,,example.org,m@mailnet.test,jobseekers,T1,,\n", map[int]string{2: "employer_domains"}},
		{"empty required", header + ",jobseeker,,,m@mailnet.test,jobseekers,,,\n", map[int]string{2: "client_id is empty; team_id is empty"}},
		{"bad tag", header + "J1,jobseeker,,,m@mailnet.test,jobseekers,T1,,bénéfices\n", map[int]string{2: "expertise"}},
		{"counsellor in two teams", header +
			"J1,jobseeker,,,m@mailnet.test,jobseekers,T1,,\n" +
			"J2,jobseeker,,,p@mailnet.test,jobseekers,T2,,\n" +
			"J3,jobseeker,,,m@mailnet.test,jobseekers,T2,,\n", map[int]string{4: "in team T2 here but in team T1 on line 2"}},
		{"team names disagree", header +
			"J1,jobseeker,,,m@mailnet.test,jobseekers,T1,Emploi,\n" +
			"J2,jobseeker,,,p@mailnet.test,jobseekers,T1,Jobs,\n", map[int]string{3: "team_name"}},
		{"duplicate client differs", header +
			"J1,jobseeker,a@example.org,,m@mailnet.test,jobseekers,T1,,\n" +
			"J1,jobseeker,b@example.org,,m@mailnet.test,jobseekers,T1,,\n", map[int]string{3: "also on line 2"}},
		{"every bad row reported", header +
			"J1,student,,,m@mailnet.test,jobseekers,T1,,\n" +
			"J2,jobseeker,,,m@mailnet.test,jobseekers,T1,,\n" +
			"\"J3\nbis\",jobseeker,,,m@mailnet.test,jobseekers,T1,,\n" +
			"J4,jobseeker,x@,,m@mailnet.test,jobseekers,T1,,\n", map[int]string{2: "student", 4: "client_id", 6: "x@"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCSV(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("no error; batch %+v", got)
			}
			if len(got.Clients)+len(got.Counsellors)+len(got.Teams) != 0 {
				t.Errorf("a batch came with the error: %+v", got)
			}
			lines := lineErrors(err)
			if len(lines) != len(tc.want) {
				t.Errorf("got %d bad lines (%v), want %d", len(lines), err, len(tc.want))
			}
			for _, le := range lines {
				word, ok := tc.want[le.Line]
				if !ok || !strings.Contains(le.Error(), word) {
					t.Errorf("line %d: %v; want it to mention %q", le.Line, le, word)
				}
			}
		})
	}
}

func TestParseCSVBadHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty file"},
		{"missing required", "client_id,client_kind,counsellor_email,counsellor_kind\n", `"team_id" missing`},
		{"unknown column", header[:len(header)-1] + ",client_mail\n", `unknown column "client_mail"`},
		{"repeated column", header[:len(header)-1] + ",Client_ID\n", "repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseCSV(strings.NewReader(tc.in))
			if !errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrHeader mentioning %q", err, tc.want)
			}
		})
	}
}

func TestParseCSVSyntaxError(t *testing.T) {
	t.Parallel()
	in := header + "J1,jobseeker,,,m@mailnet.test,jobseekers,T1,\"Emploi,\n"
	if _, err := ParseCSV(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want a parse error at line 2", err)
	}
}

// lineErrors unpacks the *LineError values of a joined error.
func lineErrors(err error) []*LineError {
	var out []*LineError
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			out = append(out, lineErrors(e)...)
		}
		return out
	}
	var le *LineError
	if errors.As(err, &le) {
		out = append(out, le)
	}
	return slices.Clip(out)
}

func TestParseCSVServiceAddresses(t *testing.T) {
	t.Parallel()
	in := "client_id,client_kind,counsellor_email,counsellor_kind,team_id,team_service_addresses\n" +
		"J1,jobseeker,marie@mailnet.test,jobseekers,T1,contact@mailnet.test|accueil@mailnet.test\n" +
		"J2,jobseeker,paul@mailnet.test,jobseekers,T1,\n" +
		"J3,jobseeker,paul@mailnet.test,jobseekers,T2,not-an-address\n"
	_, err := ParseCSV(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("bad service address: err = %v", err)
	}
	b, err := ParseCSV(strings.NewReader(in[:strings.LastIndex(strings.TrimSuffix(in, "\n"), "\n")+1]))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Teams) != 1 || strings.Join(b.Teams[0].ServiceAddresses, " ") != "accueil@mailnet.test contact@mailnet.test" {
		t.Fatalf("teams = %+v", b.Teams)
	}
}
