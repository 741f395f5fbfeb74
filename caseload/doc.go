// Package caseload reads the planning software's caseload export into a
// storage.CaseloadBatch, ready for storage.DB.ImportCaseload.
//
// # File format
//
// One CSV file (RFC 4180 quoting: a field holding the separator, a quote
// or a line break is enclosed in double quotes, and a quote inside is
// doubled). It is UTF-8; a leading byte order mark is ignored.
//
// The first line is a header naming the columns. The separator is ',' or
// ';' (French spreadsheets export ';'): whichever occurs more often in the
// header line is used for the whole file. Column names are
// case-insensitive, surrounding spaces are ignored, and the order is free.
// An unknown or repeated column name is an error, so a misspelt optional
// column is not silently dropped.
//
//	column            required  content
//	client_id         yes       the PES identifier (no spaces)
//	client_kind       yes       jobseeker | employer
//	client_name       no        display name
//	client_emails     no        email addresses, separated by spaces or '|'
//	employer_domains  no        email domains of an employer (not allowed
//	                            for a jobseeker), separated by spaces or '|'
//	counsellor_email  yes       the personal counsellor's public address
//	counsellor_kind   yes       jobseekers | employers (must match the
//	                            client: jobseeker ↔ jobseekers)
//	team_id           yes       short code of the counsellor's team
//	team_name         no        the team's name
//	agency            no        the team's agency
//	manager_emails    no        the team managers' addresses, separated by
//	                            spaces or '|'
//	team_service_addresses
//	                  no        the team's shared addresses (contact@…), in a
//	                            local domain: mail to them from a known
//	                            client goes to the personal counsellor, from
//	                            anyone else to the team's dispatch folder
//	expertise         no        the counsellor's expertise tags (letters,
//	                            digits, '-', '_'), separated by spaces or '|'
//
// Each row is one client with its personal counsellor and that
// counsellor's team. Addresses, domains and tags are lower-cased; domains
// must be ASCII (an internationalised domain in its xn-- form). Rows whose
// fields are all empty are skipped.
//
// Counsellors and teams repeat across rows and must agree: a counsellor
// has one kind, one team and one set of expertise tags in the whole file.
// For a team, an empty team_name, agency, manager_emails or
// team_service_addresses means "not given on this row"; given values must
// agree. A client listed twice with identical data counts once; with
// different data it is an error.
//
// # Errors
//
// ParseCSV checks every row and reports every bad one, each as a
// *LineError carrying the line number (1 is the header; a quoted field
// spanning lines counts them all) and the reasons, joined with
// errors.Join. When any row is bad it returns no batch at all, so a
// caller cannot import half a file. A CSV syntax error (a stray quote)
// stops the reading, since the rows after it cannot be trusted.
//
// Whether accounts exist for the counsellors and managers, and whether an
// address already belongs to another client, is checked by the import in
// storage, which sees the stored data.
package caseload
