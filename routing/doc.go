// Package routing decides who receives a message: for each envelope
// recipient, the account and mailbox that get a copy, and why.
//
// It is deterministic and protocol-free: it reads accounts (and, in later
// work, the caseload) through the small Store interface, returns decisions,
// and never writes mail. The SMTP and submission servers turn its errors
// into replies and hand its deliveries to storage.
package routing
