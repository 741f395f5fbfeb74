package caseload

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"mailnet/storage"
)

// assembler checks rows one by one and gathers the batch, remembering
// where each client, counsellor and team was first seen.
type assembler struct {
	clients     map[string]int // client ID → index in list
	clientList  []storage.Client
	clientLine  []int
	counsellors map[string]seen[storage.Counsellor]
	teams       map[string]seen[storage.Team]
}

type seen[T any] struct {
	v    T
	line int
}

func newAssembler() *assembler {
	return &assembler{
		clients:     map[string]int{},
		counsellors: map[string]seen[storage.Counsellor]{},
		teams:       map[string]seen[storage.Team]{},
	}
}

// add checks one row and records it; it returns the row's problems.
func (a *assembler) add(line int, row map[string]string) []string {
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }

	cl := storage.Client{
		ID:         row[colClientID],
		Kind:       strings.ToLower(row[colClientKind]),
		Name:       row[colClientName],
		Counsellor: strings.ToLower(row[colCounsellorEmail]),
	}
	co := storage.Counsellor{
		Address: cl.Counsellor,
		Kind:    strings.ToLower(row[colCounsellorKind]),
		Team:    row[colTeamID],
	}
	tm := storage.Team{ID: co.Team, Name: row[colTeamName], Agency: row[colAgency]}

	switch {
	case cl.ID == "":
		bad("client_id is empty")
	case strings.ContainsFunc(cl.ID, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		bad("client_id %q contains spaces or control characters", cl.ID)
	}
	if cl.Kind != storage.ClientJobseeker && cl.Kind != storage.ClientEmployer {
		bad("client_kind %q is not jobseeker or employer", row[colClientKind])
	}
	if co.Kind != storage.ServesJobseekers && co.Kind != storage.ServesEmployers {
		bad("counsellor_kind %q is not jobseekers or employers", row[colCounsellorKind])
	} else if (cl.Kind == storage.ClientJobseeker && co.Kind != storage.ServesJobseekers) ||
		(cl.Kind == storage.ClientEmployer && co.Kind != storage.ServesEmployers) {
		bad("a %s cannot have a counsellor serving %s", cl.Kind, co.Kind)
	}
	if cl.Counsellor == "" {
		bad("counsellor_email is empty")
	} else if !validAddress(cl.Counsellor) {
		bad("counsellor_email %q is not an email address", row[colCounsellorEmail])
	}
	if tm.ID == "" {
		bad("team_id is empty")
	}
	cl.Emails = list(row[colClientEmails], colClientEmails, validAddress, bad)
	cl.Domains = list(row[colEmployerDomains], colEmployerDomains, validDomain, bad)
	if len(cl.Domains) > 0 && cl.Kind == storage.ClientJobseeker {
		bad("a jobseeker has no employer_domains")
	}
	tm.Managers = list(row[colManagerEmails], colManagerEmails, validAddress, bad)
	tm.ServiceAddresses = list(row[colServiceAddrs], colServiceAddrs, validAddress, bad)
	co.Expertise = list(row[colExpertise], colExpertise, validTag, bad)
	if len(reasons) > 0 {
		return reasons
	}
	reasons = append(reasons, a.addTeam(line, tm)...)
	reasons = append(reasons, a.addCounsellor(line, co)...)
	return append(reasons, a.addClient(line, cl)...)
}

func (a *assembler) addClient(line int, cl storage.Client) []string {
	if i, ok := a.clients[cl.ID]; ok {
		if !sameClient(a.clientList[i], cl) {
			return []string{fmt.Sprintf("client %s also on line %d with different data", cl.ID, a.clientLine[i])}
		}
		return nil
	}
	a.clients[cl.ID] = len(a.clientList)
	a.clientList = append(a.clientList, cl)
	a.clientLine = append(a.clientLine, line)
	return nil
}

func (a *assembler) addCounsellor(line int, co storage.Counsellor) []string {
	prev, ok := a.counsellors[co.Address]
	if !ok {
		a.counsellors[co.Address] = seen[storage.Counsellor]{co, line}
		return nil
	}
	var reasons []string
	if prev.v.Team != co.Team {
		reasons = append(reasons, fmt.Sprintf("counsellor %s is in team %s here but in team %s on line %d",
			co.Address, co.Team, prev.v.Team, prev.line))
	}
	if prev.v.Kind != co.Kind {
		reasons = append(reasons, fmt.Sprintf("counsellor %s serves %s here but %s on line %d",
			co.Address, co.Kind, prev.v.Kind, prev.line))
	}
	if !slices.Equal(prev.v.Expertise, co.Expertise) {
		reasons = append(reasons, fmt.Sprintf("counsellor %s has expertise %q here but %q on line %d",
			co.Address, strings.Join(co.Expertise, " "), strings.Join(prev.v.Expertise, " "), prev.line))
	}
	return reasons
}

// addTeam merges tm into the team seen before: empty fields are "not
// given", given ones must agree.
func (a *assembler) addTeam(line int, tm storage.Team) []string {
	prev, ok := a.teams[tm.ID]
	if !ok {
		a.teams[tm.ID] = seen[storage.Team]{tm, line}
		return nil
	}
	var reasons []string
	merge := func(what string, dst *string, v string) {
		switch {
		case v == "" || v == *dst:
		case *dst == "":
			*dst = v
		default:
			reasons = append(reasons, fmt.Sprintf("team %s has %s %q here but %q on line %d", tm.ID, what, v, *dst, prev.line))
		}
	}
	merge("team_name", &prev.v.Name, tm.Name)
	merge("agency", &prev.v.Agency, tm.Agency)
	mgrs := strings.Join(prev.v.Managers, " ")
	merge("manager_emails", &mgrs, strings.Join(tm.Managers, " "))
	prev.v.Managers = strings.Fields(mgrs)
	if len(prev.v.Managers) == 0 {
		prev.v.Managers = nil
	}
	svc := strings.Join(prev.v.ServiceAddresses, " ")
	merge(colServiceAddrs, &svc, strings.Join(tm.ServiceAddresses, " "))
	prev.v.ServiceAddresses = strings.Fields(svc)
	if len(prev.v.ServiceAddresses) == 0 {
		prev.v.ServiceAddresses = nil
	}
	a.teams[tm.ID] = prev
	return reasons
}

func sameClient(x, y storage.Client) bool {
	return x.ID == y.ID && x.Kind == y.Kind && x.Name == y.Name && x.Counsellor == y.Counsellor &&
		slices.Equal(x.Emails, y.Emails) && slices.Equal(x.Domains, y.Domains)
}

// batch returns what was gathered: teams and counsellors sorted by key,
// clients in file order.
func (a *assembler) batch() storage.CaseloadBatch {
	var b storage.CaseloadBatch
	for _, t := range a.teams {
		b.Teams = append(b.Teams, t.v)
	}
	slices.SortFunc(b.Teams, func(x, y storage.Team) int { return strings.Compare(x.ID, y.ID) })
	for _, c := range a.counsellors {
		b.Counsellors = append(b.Counsellors, c.v)
	}
	slices.SortFunc(b.Counsellors, func(x, y storage.Counsellor) int { return strings.Compare(x.Address, y.Address) })
	b.Clients = a.clientList
	return b
}

// list splits a space- or '|'-separated field, lower-cases, sorts and
// de-duplicates the items, and reports the invalid ones.
func list(field, col string, valid func(string) bool, bad func(string, ...any)) []string {
	items := strings.FieldsFunc(strings.ToLower(field), func(r rune) bool {
		return r == '|' || r == ' ' || r == '\t'
	})
	if len(items) == 0 {
		return nil
	}
	for _, it := range items {
		if !valid(it) {
			bad("%s: %q is not valid", col, it)
		}
	}
	slices.Sort(items)
	return slices.Compact(items)
}

// validAddress accepts a bare addr-spec (RFC 5322 §3.4.1) with an ASCII
// domain name.
func validAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && strings.EqualFold(a.Address, s) && validDomain(s[at+1:])
}

// validDomain accepts an ASCII domain name of at least two labels
// (RFC 1035 §2.3.1, with leading digits allowed as in RFC 1123 §2.1).
func validDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func validTag(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
