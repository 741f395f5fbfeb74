// Package e2e holds mailnet's end-to-end tests: the real `mailnet` binary,
// built once per run, serves on 127.0.0.1 as a child process, and
// independent, real clients talk to it.
//
// The package has no code of its own; everything is in its _test.go files:
//
//   - e2e_harness_test.go builds the binary in TestMain, starts
//     `mailnet serve --config FILE` with every listener on 127.0.0.1:0,
//     reads the bound ports from the "listening" log lines, waits for
//     "mailnet started", and stops the server with SIGTERM, expecting
//     exit status 0. e2e_goclient_test.go has the small Go SMTP and IMAP
//     clients that deliver and check mail around the real clients.
//   - e2e_cli_test.go: `mailnet user add|list`, `queue list` and
//     `config check` while the server runs (through its control socket)
//     and after it stopped (on the store directly), and a restart on the
//     same data directory.
//   - e2e_imaplib_test.go: Python's imaplib, driven by
//     testdata/imap_check.py: STARTTLS and implicit TLS logins, LIST with
//     special-use folders, FETCH of an attachment compared byte for byte,
//     SEARCH, STORE, APPEND and IDLE.
//   - e2e_swaks_test.go: swaks on the MX and submission ports: delivery
//     with an attachment, STARTTLS and implicit TLS with AUTH PLAIN and
//     LOGIN, the outbound queue, and the refusals (relay, unknown user,
//     AUTH without TLS, wrong password, foreign sender).
//   - e2e_mbsync_test.go: mbsync (isync) pulls a whole account into a
//     Maildir over STARTTLS and over implicit TLS; every message of every
//     folder must be there with the same bytes and flags, once mbsync's
//     own changes are undone (LF line ends, an added X-TUID field).
//   - e2e_caseload_test.go: a caseload imported with the CLI while the
//     server runs, an absence, routing to the substitute and to dispatch;
//     then Python's imaplib, driven by testdata/shared_check.py, reads a
//     colleague's INBOX and a case (writes refused with NOPERM, reads in
//     `mailnet audit list`), and a manager assigns the dispatched message
//     with UID MOVE.
//   - e2e_archive_test.go: archive verify, export and restore on the
//     real binary.
//   - e2e_dkim_test.go: dkimpy verifies the DKIM signatures of submitted
//     mail against the records `mailnet dkim keygen` printed.
//   - e2e_dashboard_test.go: headless Chromium (driven over the DevTools
//     protocol by e2e_chromium_test.go) logs in to the dashboard as a
//     manager through the login form, finds the SVG charts and an overdue
//     conversation, and takes a screenshot.
//
// # Running
//
//	MAILNET_E2E=1 go test -race ./e2e
//
// The tests need python3, swaks, mbsync and chromium (Debian packages
// python3, swaks, isync and chromium, plus libnet-ssleay-perl; .ci/run
// installs them). Without
// MAILNET_E2E=1 a test whose tool is missing is skipped; with it (as in
// CI) a missing tool is a failure. `go test -short` skips the package.
// When the test binary is built with -race, so is the server, and a data
// race reported by the server fails the test that ran it.
//
// # Caveats
//
// Each test starts its own server on its own data directory, so tests run
// in parallel; on a small machine the password hashing of logins (argon2id)
// dominates the run time. Nothing leaves the loopback interface: each
// server asks a go-mockdns DNS server of its own on 127.0.0.1, where the
// remote test domain answers SERVFAIL, so mail from it passes the sender
// checks (no DMARC policy) and mail to it stays queued.
package e2e
