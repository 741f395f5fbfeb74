// Package metrics exposes mailnet's Prometheus metrics in the standard
// text exposition format, through its own registry (never the global
// one), so that several servers can live in one process, as in tests.
//
// The protocol servers, the delivery worker and storage do not import this
// package: each declares the small observer interface it needs, and
// package server passes them a *Metrics or one of its Protocol values.
// Gauges that describe stored state (queue, SLA clocks, file size) are
// read from the store at scrape time, so they are right after a restart
// and cost nothing between scrapes.
//
// Metrics (namespace mailnet):
//
//	connections_total{proto}                   counter: connections accepted
//	connections_open{proto}                    gauge: connections open now
//	messages_accepted_total{proto}             counter: messages stored (250 after DATA)
//	messages_rejected_total{proto,reason}      counter: MAIL, RCPT and DATA refusals, and connections refused by the per-IP limit (reason "rate")
//	logins_total{proto,result}                 counter: IMAP LOGIN/AUTHENTICATE and SMTP AUTH, result "ok" or "failed"
//	queue_messages{state}                      gauge: queued messages, "new" (never tried) or "deferred"
//	delivery_attempts_total{result}            counter: recipient attempts on a remote host, "delivered", "deferred" or "failed"
//	delivery_latency_seconds                   histogram: from queueing to the remote 250, per recipient
//	sla_conversations{state}                   gauge: unanswered conversations, "open", "warned" or "overdue" (exclusive)
//	storage_file_bytes                         gauge: size of the store file
//	storage_commit_duration_seconds            histogram: durable transactions, fsync included
//
// proto is "smtp-mx", "submission" (ports 587 and 465) or "imap" (143 and
// 993). Besides these, the registry holds the Go runtime (go_*) and
// process (process_*) collectors.
package metrics
