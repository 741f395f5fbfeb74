package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"mailnet/dkimsign"
)

// dkimTTL is the TTL, in seconds, suggested for DKIM key records: an hour
// lets a replaced record spread quickly and costs verifiers little.
const dkimTTL = 3600

// dkimDefaultSelectorPrefix makes the default selector, followed by the
// algorithm: mn1-ed25519, mn1-rsa. The algorithm keeps the two keys of a
// domain on distinct records; the number leaves room for rotation (mn2-…).
const dkimDefaultSelectorPrefix = "mn1-"

// dkimWhenSigning tells when a new key starts signing: the server loads
// the keys when it starts.
const dkimWhenSigning = "Publish the record, then restart mailnet: it signs with the keys it finds when it starts."

func cmdDKIM(args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("dkim", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	selector := fs.String("selector", "", "selector `S` naming the key's DNS record (default: mn1-ALGO)")
	algo := fs.String("algo", string(dkimsign.Ed25519), "key algorithm: ed25519 or rsa (2048 bits)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case args[0] == "keygen" && len(pos) == 1:
		cfg, err := loadConfig(d)
		if err != nil {
			return err
		}
		if *selector == "" {
			*selector = dkimDefaultSelectorPrefix + *algo
		}
		k, err := dkimsign.Generate(cfg.DataDir, pos[0], *selector, dkimsign.Algorithm(*algo))
		if errors.Is(err, dkimsign.ErrKeyExists) {
			return fmt.Errorf("%w; give the new key another --selector", err)
		}
		if err != nil {
			return err
		}
		if !cfg.IsLocalDomain(k.Domain) {
			fmt.Fprintf(std.stderr, "note: %s is not one of the configured domains\n", k.Domain)
		}
		return printNewKey(std, cfg.DataDir, k)
	case args[0] == "list" && len(pos) == 0:
		cfg, err := loadConfig(d)
		if err != nil {
			return err
		}
		s, err := dkimsign.Load(cfg.DataDir)
		if err != nil {
			return err
		}
		return printKeys(std, cfg.DataDir, s.Keys())
	}
	return errUsage
}

// printNewKey prints where k was written, its record in the two forms DNS
// providers ask for, and what to do next.
func printNewKey(std cmdIO, dataDir string, k dkimsign.Key) error {
	name, value := dkimsign.DNSRecord(k)
	fmt.Fprintf(std.stdout, "created %s key %s for %s: %s\n\n", k.Algorithm, k.Selector, k.Domain, k.Path(dataDir))
	fmt.Fprintf(std.stdout, "Publish this TXT record in the DNS zone of %s (TTL %d suggested):\n\n", k.Domain, dkimTTL)
	fmt.Fprintf(std.stdout, "  name:  %s\n  value: %s\n\nor, in a zone file:\n\n%s\n\n", name, value, zoneLine(name, value))
	fmt.Fprintf(std.stdout, "%s\nCheck it with: dig +short TXT %s\n", dkimWhenSigning, name)
	s, err := dkimsign.Load(dataDir)
	if err != nil {
		fmt.Fprintf(std.stderr, "warning: the keys cannot be loaded: %v\n", err)
		return nil
	}
	for _, other := range s.Keys() {
		if other.Domain == k.Domain && other.Algorithm == dkimsign.RSA {
			return nil
		}
	}
	fmt.Fprintf(std.stdout, "Many receivers verify only RSA signatures: add an RSA key with: mailnet dkim keygen %s --algo rsa\n", k.Domain)
	return nil
}

// printKeys prints a table of keys, then their records in zone-file form.
func printKeys(std cmdIO, dataDir string, keys []dkimsign.Key) error {
	if len(keys) == 0 {
		fmt.Fprintf(std.stdout, "no DKIM keys in %s (create one with: mailnet dkim keygen DOMAIN)\n", filepath.Join(dataDir, "dkim"))
		return nil
	}
	tw := tabwriter.NewWriter(std.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tSELECTOR\tALGORITHM\tFILE")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Domain, k.Selector, k.Algorithm, k.Path(dataDir))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(std.stdout)
	for _, k := range keys {
		fmt.Fprintln(std.stdout, zoneLine(dkimsign.DNSRecord(k)))
	}
	return nil
}

// zoneLine returns a TXT record as a zone-file line.
func zoneLine(name, value string) string {
	return fmt.Sprintf("%s. %d IN TXT %s", name, dkimTTL, dkimsign.ZoneTXT(value))
}
