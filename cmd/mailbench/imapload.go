package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// imapDialTimeout bounds the TCP connection to the IMAP listener.
const imapDialTimeout = 10 * time.Second

// opID identifies an IMAP operation, for its target in the report.
type opID int

const (
	opSelect opID = iota
	opFetchAll
	opSearchSubject
	opSearchText
	opFetchBody
)

// imapOp is one timed IMAP operation on a selected mailbox.
type imapOp struct {
	id   opID
	name string
	// run performs the operation once and describes its result ("1 UID");
	// a result other than the expected one is an error.
	run func(c *imapclient.Client) (string, error)
}

// opResult is the measure of one IMAP operation over its repetitions.
type opResult struct {
	ID     opID
	Name   string
	Result string
	Times  []time.Duration
	summary
}

// imapResult is the IMAP benchmark of one mailbox.
type imapResult struct {
	Account  string
	Messages int
	Login    time.Duration // STARTTLS excluded: LOGIN to its OK
	Ops      []opResult
}

// imapTarget is the mailbox of an IMAP benchmark.
type imapTarget struct {
	Account, Password string
	Messages          int // messages in INBOX, numbered 1 to Messages
}

// runIMAP connects to addr with STARTTLS, logs in and times each operation
// of imapOps reps times, in turn.
func runIMAP(ctx context.Context, addr string, tlsCfg *tls.Config, t imapTarget, reps int) (imapResult, error) {
	res := imapResult{Account: t.Account, Messages: t.Messages}
	d := net.Dialer{Timeout: imapDialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return res, err
	}
	c, err := imapclient.NewStartTLS(conn, &imapclient.Options{TLSConfig: tlsCfg})
	if err != nil {
		return res, fmt.Errorf("STARTTLS: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	start := time.Now()
	if err := c.Login(t.Account, t.Password).Wait(); err != nil {
		return res, errors.Join(fmt.Errorf("LOGIN: %w", err), c.Close())
	}
	res.Login = time.Since(start)
	for _, op := range imapOps(t.Messages) {
		r := opResult{ID: op.id, Name: op.name}
		for range reps {
			start := time.Now()
			out, err := op.run(c)
			if err != nil {
				return res, errors.Join(fmt.Errorf("%s: %w", op.name, err), c.Close())
			}
			r.Times = append(r.Times, time.Since(start))
			r.Result = out
		}
		r.summary = summarize(r.Times)
		res.Ops = append(res.Ops, r)
	}
	if err := c.Logout().Wait(); err != nil {
		return res, errors.Join(fmt.Errorf("LOGOUT: %w", err), c.Close())
	}
	return res, c.Close()
}

// searchTarget returns the number of the message the searches look for in
// a mailbox of n messages: 4242 when there is one.
func searchTarget(n int) int {
	if n >= 4242 {
		return 4242
	}
	return max(n/2, 1)
}

// imapOps returns the operations timed on an INBOX of n messages.
func imapOps(n int) []imapOp {
	hit := searchTarget(n)
	subject := subjectToken(hit)
	text := textToken(hit)
	middle := uint32(max(n/2, 1))
	return []imapOp{
		{opSelect, "SELECT INBOX", func(c *imapclient.Client) (string, error) {
			data, err := c.Select("INBOX", nil).Wait()
			if err != nil {
				return "", err
			}
			if int(data.NumMessages) != n {
				return "", fmt.Errorf("%d messages, want %d", data.NumMessages, n)
			}
			return group(int64(data.NumMessages)) + " EXISTS", nil
		}},
		{opFetchAll, "FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)", func(c *imapclient.Client) (string, error) {
			return fetchAll(c, n)
		}},
		{opSearchSubject, fmt.Sprintf("UID SEARCH SUBJECT %q", subject), func(c *imapclient.Client) (string, error) {
			return searchOne(c, &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}})
		}},
		{opSearchText, fmt.Sprintf("UID SEARCH TEXT %q", text), func(c *imapclient.Client) (string, error) {
			return searchOne(c, &imap.SearchCriteria{Text: []string{text}})
		}},
		{opFetchBody, fmt.Sprintf("FETCH %d BODY.PEEK[]", middle), func(c *imapclient.Client) (string, error) {
			return fetchBody(c, middle)
		}},
	}
}

// fetchAll fetches FLAGS, ENVELOPE and BODYSTRUCTURE of every message,
// streaming the responses so that the client holds one message at a time,
// and checks that all n came with an envelope and a body structure.
func fetchAll(c *imapclient.Client, n int) (string, error) {
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	cmd := c.Fetch(all, &imap.FetchOptions{Flags: true, Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}})
	msgs, envs, structs := 0, 0, 0
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		msgs++
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item.(type) {
			case imapclient.FetchItemDataEnvelope:
				envs++
			case imapclient.FetchItemDataBodyStructure:
				structs++
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return "", err
	}
	if msgs != n || envs != n || structs != n {
		return "", fmt.Errorf("%d messages, %d envelopes, %d body structures, want %d each", msgs, envs, structs, n)
	}
	return group(int64(msgs)) + " messages", nil
}

// searchOne runs UID SEARCH and checks that exactly one message matches.
func searchOne(c *imapclient.Client, crit *imap.SearchCriteria) (string, error) {
	data, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return "", err
	}
	if uids := data.AllUIDs(); len(uids) != 1 {
		return "", fmt.Errorf("%d hits, want 1", len(uids))
	}
	return "1 UID", nil
}

// fetchBody fetches the whole of message seq and reads it.
func fetchBody(c *imapclient.Client, seq uint32) (string, error) {
	cmd := c.Fetch(imap.SeqSetNum(seq), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	var size int64
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok && body.Literal != nil {
				n, err := io.Copy(io.Discard, body.Literal)
				if err != nil {
					return "", errors.Join(err, cmd.Close())
				}
				size += n
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return "", err
	}
	if size == 0 {
		return "", errors.New("no body")
	}
	return group(size) + " bytes", nil
}
