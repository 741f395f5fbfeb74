// Command mailbench measures a mailnet server under load. The server runs as
// a separate process, so that its own memory can be read from
// /proc/PID/status while the load generator runs next to it.
//
// Usage, from the module root:
//
//	go run ./cmd/mailbench [--messages 100000] [--small 10000] [--duration 10s]
//	                       [--reps 5] [--out FILE.md] [--server PATH] [--keep]
//
// mailbench builds the server (go build ./cmd/mailnet) unless --server names a
// binary, starts `mailnet serve` on a temporary data directory with every
// listener on 127.0.0.1:0 (the addresses are read from the server's
// "listening" log lines), and creates its accounts with `mailnet user add`
// while the server runs. Then, in order:
//
//  1. SMTP MX delivery: for 4 KiB and 200 KiB messages and for 1 and 16
//     concurrent clients, each client opens one SMTP session per message
//     (dial, EHLO, MAIL, RCPT, DATA, QUIT) for --duration. The latency of a
//     message runs from the dial to the 250 reply after DATA.
//  2. Population: --messages messages of about 4 KiB for bench-b and --small
//     for bench-c, delivered over SMTP by 16 clients that reuse their sessions.
//  3. IMAP over STARTTLS on both mailboxes, each operation repeated --reps
//     times: SELECT, FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE), UID SEARCH on
//     the subject and on the text, and one full-body FETCH.
//
// Throughout, the server's /proc/PID/status is sampled every 100 ms; the
// report gives, per phase, the peak resident set (VmHWM, reset at the start
// of each phase through /proc/PID/clear_refs) and the peaks of its private
// part (RssAnon) and of its file-backed part (RssFile: the memory-mapped
// store). The Markdown report goes to standard output and to --out.
//
// Finally the server gets SIGTERM and the temporary directory is removed
// unless --keep is given.
//
// Caveats: mailbench needs Linux (/proc). The load generator shares the
// machine's CPUs with the server, so throughput and latency are those of the
// pair: on a small machine the client's own work (message generation, TLS,
// IMAP parsing) takes CPU time from the server. Everything is on loopback.
package main
