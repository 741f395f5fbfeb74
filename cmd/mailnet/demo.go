package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mailnet/conf"
	"mailnet/server/control"
	"mailnet/storage"
)

// demoLoginsFile keeps the generated demo passwords (mode 0600) so that
// every `serve --demo` can print them again.
const demoLoginsFile = "demo-logins.txt"

// demoTeam is the small team --demo creates: two counsellors and their
// manager, in the primary domain.
var demoTeam = []struct {
	local, name string
	role        storage.Role
}{
	{"marie.dupont", "Marie Dupont", storage.RoleCounsellor},
	{"karim.benali", "Karim Benali", storage.RoleCounsellor},
	{"sophie.martin", "Sophie Martin", storage.RoleManager},
}

// setUpDemo creates the demo accounts that are missing and prints every
// demo login with the server settings a mail client needs.
func setUpDemo(ctx context.Context, cfg *conf.Config, db *storage.DB, out io.Writer) error {
	path := filepath.Join(cfg.DataDir, demoLoginsFile)
	known, err := readDemoLogins(path)
	if err != nil {
		return err
	}
	ops := &control.Local{DB: db}
	for _, m := range demoTeam {
		addr := m.local + "@" + cfg.PrimaryDomain()
		res, err := ops.AddUser(ctx, control.AddUserRequest{Address: addr, Name: m.name, Role: m.role})
		switch {
		case errors.Is(err, control.ErrUserExists):
			continue
		case err != nil:
			return err
		}
		known[addr] = res.GeneratedPassword
		if err := appendDemoLogin(path, addr, res.GeneratedPassword); err != nil {
			return err
		}
	}
	if err := demoCaseload(ctx, cfg, db); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nmailnet demo team (IMAP %s STARTTLS or %s TLS, SMTP submission %s STARTTLS or %s TLS; self-signed certificate):\n",
		cfg.Listen.IMAP, cfg.Listen.IMAPS, cfg.Listen.Submission, cfg.Listen.Submissions)
	for _, m := range demoTeam {
		addr := m.local + "@" + cfg.PrimaryDomain()
		pw := known[addr]
		if pw == "" {
			pw = "(set before; change with: mailnet user passwd " + addr + ")"
		}
		fmt.Fprintf(out, "  %-12s %-32s %s\n", m.role, addr, pw)
	}
	fmt.Fprintf(out, "  team DEMO: service address contact@%[1]s; clients jean.demo@example.org (Marie's)\n"+
		"  and the employer demo-sarl.example (Karim's): mailnet caseload show jean.demo@example.org --data %[2]s\n\n",
		cfg.PrimaryDomain(), cfg.DataDir)
	if cfg.Listen.HTTP.IsSet() {
		scheme := "http"
		if cfg.TLS.CertFile != "" {
			scheme = "https"
		}
		fmt.Fprintf(out, "  dashboard: %s://%s/ (log in as the manager)\n\n", scheme, cfg.Listen.HTTP)
	}
	return nil
}

// demoCaseload gives the demo team a caseload, so that routing can be
// tried: a team with its manager and service address, a jobseeker of
// Marie's and an employer of Karim's. Importing it again changes nothing.
func demoCaseload(ctx context.Context, cfg *conf.Config, db *storage.DB) error {
	addr := func(local string) string { return local + "@" + cfg.PrimaryDomain() }
	batch := storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "DEMO", Name: "Équipe de démonstration", Agency: "Démo",
			Managers: []string{addr("sophie.martin")}, ServiceAddresses: []string{addr("contact")}}},
		Counsellors: []storage.Counsellor{
			{Address: addr("marie.dupont"), Kind: storage.ServesJobseekers, Team: "DEMO"},
			{Address: addr("karim.benali"), Kind: storage.ServesEmployers, Team: "DEMO"},
		},
		Clients: []storage.Client{
			{ID: "DEMO-J1", Kind: storage.ClientJobseeker, Name: "Jean Démo", Emails: []string{"jean.demo@example.org"}, Counsellor: addr("marie.dupont")},
			{ID: "DEMO-E1", Kind: storage.ClientEmployer, Name: "Démo SARL", Emails: []string{"rh@demo-sarl.example"},
				Domains: []string{"demo-sarl.example"}, Counsellor: addr("karim.benali")},
		},
	}
	_, err := db.ImportCaseload(ctx, batch, "demo", false)
	return err
}

func readDemoLogins(path string) (map[string]string, error) {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if addr, pw, ok := strings.Cut(line, " "); ok {
			out[addr] = pw
		}
	}
	return out, nil
}

func appendDemoLogin(path, addr, pw string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "%s %s\n", addr, pw); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
