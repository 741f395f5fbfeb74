package dkimsign

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Load reads every key under dataDir/dkim and returns a Signer holding
// them. A missing dkim directory means no keys. Every entry must be a
// domain directory holding key files named <selector>.<algorithm>.pem, in
// PKCS #8 PEM, whose key type matches the name; entries whose names start
// with a dot are skipped (editors, Kubernetes secret volumes). Anything
// else, and two keys with one selector, are errors; Load reports all of
// them, each as an *fs.PathError naming the file.
func Load(dataDir string) (*Signer, error) {
	dir := filepath.Join(dataDir, keysDir)
	domains, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return newSigner(nil), nil
	}
	if err != nil {
		return nil, err
	}
	var keys []Key
	var errs []error
	for _, d := range domains {
		if strings.HasPrefix(d.Name(), ".") {
			continue
		}
		k, err := loadDomain(filepath.Join(dir, d.Name()), d.Name())
		keys = append(keys, k...)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return newSigner(keys), nil
}

// loadDomain reads the keys in the directory path of domain.
func loadDomain(path, domain string) ([]Key, error) {
	fail := func(path string, err error) error {
		return &fs.PathError{Op: "load dkim key", Path: path, Err: err}
	}
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fail(path, errors.New("not a domain directory"))
	}
	if !validDomain(domain) {
		return nil, fail(path, fmt.Errorf("%w: directory name is not a lower-case host name", ErrInvalidDomain))
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var keys []Key
	var errs []error
	selectors := make(map[string]string) // selector → file name
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		file := filepath.Join(path, e.Name())
		k, err := loadKey(file, domain, e.Name())
		if err != nil {
			errs = append(errs, fail(file, err))
			continue
		}
		if prev, ok := selectors[k.Selector]; ok {
			errs = append(errs, fail(file, fmt.Errorf("selector %s is also used by %s: one selector publishes one key", k.Selector, prev)))
			continue
		}
		selectors[k.Selector] = e.Name()
		keys = append(keys, k)
	}
	return keys, errors.Join(errs...)
}

// loadKey reads the key file path, named name, of domain.
func loadKey(path, domain, name string) (Key, error) {
	base, ok := strings.CutSuffix(name, keyExt)
	i := strings.LastIndexByte(base, '.')
	if !ok || i < 0 {
		return Key{}, errors.New("not a key file: want <selector>.<algorithm>.pem")
	}
	k := Key{Domain: domain, Selector: base[:i], Algorithm: Algorithm(base[i+1:])}
	if err := k.validate(); err != nil {
		return Key{}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Key{}, errors.Unwrap(err) // path is named by the caller
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != pemType {
		return Key{}, errors.New("no PEM \"" + pemType + "\" block")
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return Key{}, errors.New("data after the PEM block")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, err
	}
	if k.Signer, err = checkKey(priv, k.Algorithm); err != nil {
		return Key{}, err
	}
	return k, nil
}

// checkKey returns priv as a signer if it is a usable key of type algo.
func checkKey(priv any, algo Algorithm) (crypto.Signer, error) {
	switch priv := priv.(type) {
	case ed25519.PrivateKey:
		if algo == Ed25519 {
			return priv, nil
		}
	case *rsa.PrivateKey:
		if algo != RSA {
			break
		}
		if bits := priv.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits, want at least %d (RFC 8301 §3.2)", bits, minRSABits)
		}
		return priv, nil
	}
	return nil, fmt.Errorf("file name says %s, file holds a %T", algo, priv)
}

// sortKeys orders keys by domain, then algorithm in signing order, then
// selector.
func sortKeys(keys []Key) {
	slices.SortFunc(keys, func(a, b Key) int {
		if c := strings.Compare(a.Domain, b.Domain); c != 0 {
			return c
		}
		if c := slices.Index(algorithms[:], a.Algorithm) - slices.Index(algorithms[:], b.Algorithm); c != 0 {
			return c
		}
		return strings.Compare(a.Selector, b.Selector)
	})
}
