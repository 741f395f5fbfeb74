// Package web is the managers' dashboard: an HTTP server of
// server-rendered pages (html/template, assets embedded, no JavaScript),
// a JSON API and a CSV export of the statistics, over the same login.
//
// # Login and sessions
//
// Staff log in with their mail account and password, checked by the same
// Authenticator as IMAP and SMTP (argon2id, failures throttled per account
// and per client network). A login creates a server-side session, kept in
// the store by the SHA-256 of its ID (a restart logs no one out, and the
// store holds no usable cookie), named by a random 32-byte ID in an
// HttpOnly, SameSite=Strict cookie, Secure when served over TLS (then
// named with the __Host- prefix). A session ends at its lifetime
// ([web] session_lifetime) or at logout.
//
// Every POST carries the session's CSRF token (a form field "csrf" or the
// X-CSRF-Token header); the login form carries a token bound to a
// pre-login cookie (double submit). A POST without the right token is
// refused with 403 and changes nothing.
//
// # Scope
//
// An admin sees every team; a manager sees the teams that list them as
// manager (caseload column manager_emails); anyone else sees only their
// own figures and conversations. Reading a conversation's messages that
// are not the reader's own is written to the audit log first; if that
// fails, nothing is shown. Managers and admins may set absences, link
// experts and reassign clients within their scope, through the same
// operations as the command line, recorded in the caseload change log
// under their address.
//
// # Routes
//
//	GET  /login, POST /login, POST /logout
//	GET  /dashboard?team=T&from=YYYY-MM-DD&to=YYYY-MM-DD   (from and to included)
//	GET  /conversations/{id}                             reading view
//	GET  /conversations/{id}/attachment?mbox=M&uid=U&part=N
//	POST /actions/absence, /actions/link, /actions/assign
//	GET  /api/me, /api/stats, /api/stats.csv, /api/conversations, /api/conversations/{id}
//	GET  /metrics, /.well-known/autoconfig/mail/config-v1.1.xml, /mail/config-v1.1.xml (when given)
package web
