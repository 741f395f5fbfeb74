// Package routing decides who receives a message: for each envelope
// recipient, the account and mailbox that get a copy, and why.
//
// It is deterministic and protocol-free: it reads accounts and the
// caseload through the small Store interface, returns decisions, and never
// writes mail. The SMTP and submission servers turn its errors into
// replies and hand its deliveries to storage.
//
// # Rules
//
// Router.Route applies these rules to one message (issue 4):
//
//  1. Mail to a counsellor's address goes to that account's INBOX. While
//     the counsellor has an active absence (Store.ActiveAbsence at
//     Message.At; among overlapping absences the store picks one) a copy
//     also goes to the substitute, in "Substitute/<local part of the absent
//     address>". The absent counsellor keeps the INBOX copy. A substitute
//     who is absent too still gets the copy: absences do not chain.
//  2. Mail to a team's service address (storage.Team.ServiceAddresses,
//     compared case-insensitively) from a known client goes to the client's
//     personal counsellor as in rule 1. From anyone else it goes to the
//     team's dispatch (below). A service address shadows an account of the
//     same address.
//  3. A client is known only when Message.VerifiedDomain (from mailauth)
//     equals the From address's domain: then by ClientByEmail(From), else,
//     for employers, by ClientByDomain(From's domain). An unverified or
//     forged From is never treated as the client: at a service address it
//     goes to dispatch with reason "sender not verified"; at a personal
//     address it reaches that INBOX as any stranger's mail, without expert
//     copies.
//  4. Experts linked to a known client's case (Store.CaseLinks) get a copy
//     in "Linked/<client id> <client name>" (see ExpertFolder).
//  5. Router.SenderAllowed lets a substitute send with From set to the
//     absent counsellor's address during the absence only, and returns the
//     Sender value to set.
//  6. The client's personal counsellor is read at each message, so a
//     reassignment applies to the next message.
//  7. Every Target has a Reason; RouteHeader renders them as the
//     X-Mailnet-Route field stored with the message.
//
// Targets are unique per (account, mailbox) and come in a stable order.
//
// # Dispatch
//
// A team's dispatch is not an account of its own: it is the folder
// "Dispatch/<team id>" in the account of each of the team's managers
// (storage.Team.Managers), one copy each. Managers assign a message by
// moving it to a counsellor; the IMAP server is the place to share
// these folders read-only with the team's counsellors. A team without
// any manager account cannot take dispatch: Route fails with
// ErrNoDispatch, which the server should treat as temporary.
//
// # Caveats
//
// Folder names are built from caseload data: FolderPart removes the
// hierarchy delimiter "/", the LIST wildcards and control characters, and
// bounds each part to 64 characters. Names may hold UTF-8; the IMAP server
// encodes them for clients. The X-Mailnet-Route field may hold UTF-8 too
// (RFC 6532).
package routing
