package dkimsign

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Algorithm is a DKIM key type, as written in the k= tag of the key record
// and in key file names.
type Algorithm string

// The supported algorithms. RSA keys are generated with rsaBits bits.
const (
	// Ed25519 signs with ed25519-sha256 (RFC 8463).
	Ed25519 Algorithm = "ed25519"
	// RSA signs with rsa-sha256 (RFC 6376, RFC 8301).
	RSA Algorithm = "rsa"
)

// algorithms lists the supported algorithms in signing order.
var algorithms = [...]Algorithm{Ed25519, RSA}

const (
	// keysDir is the directory under the data directory that holds one
	// directory of keys per signing domain.
	keysDir = "dkim"
	// keyExt ends every key file name: <selector>.<algorithm>.pem.
	keyExt = ".pem"
	// pemType is the PEM block type of a PKCS #8 private key (RFC 7468 §10).
	pemType = "PRIVATE KEY"
	// rsaBits is the size of generated RSA keys (RFC 8301 §3.2 asks for at
	// least 2048 bits).
	rsaBits = 2048
	// minRSABits is the smallest RSA key Load accepts: verifiers must not
	// accept shorter ones (RFC 8301 §3.2).
	minRSABits = 1024
	// maxNameLen is the longest DNS name in text form, without the final
	// dot (RFC 1035 §2.3.4).
	maxNameLen = 253
	// maxLabelLen is the longest DNS label (RFC 1035 §2.3.4).
	maxLabelLen = 63
)

// Key is one DKIM private key of a signing domain.
type Key struct {
	// Domain is the signing domain (the d= tag), lower-case.
	Domain string
	// Selector names the key's DNS record under Domain (the s= tag),
	// lower-case.
	Selector string
	// Algorithm is the key type; it matches Signer.
	Algorithm Algorithm
	// Signer is the private key: ed25519.PrivateKey or *rsa.PrivateKey.
	Signer crypto.Signer
}

// Path returns the file that holds k under the data directory dataDir:
// dataDir/dkim/<domain>/<selector>.<algorithm>.pem.
func (k Key) Path(dataDir string) string {
	return filepath.Join(dataDir, keysDir, k.Domain, k.Selector+"."+string(k.Algorithm)+keyExt)
}

// Generate creates a key for domain under dataDir, writes it as a PKCS #8
// PEM file of mode 0600 (creating the directories with mode 0700), and
// returns it. The domain and the selector are lower-cased; the domain must
// be a host name of at least two labels, in A-label form for international
// names, and the selector one or more DNS labels (RFC 6376 §3.1). algo is
// Ed25519 or RSA (2048 bits).
//
// Generate never replaces a key: if the domain has a key with this selector,
// of any algorithm, it returns an error wrapping ErrKeyExists. The key is
// used by signers loaded after Generate returns; its record (DNSRecord) must
// be published first, or the signatures it makes will not verify.
func Generate(dataDir, domain, selector string, algo Algorithm) (Key, error) {
	k := Key{
		Domain:    strings.ToLower(strings.TrimSuffix(domain, ".")),
		Selector:  strings.ToLower(selector),
		Algorithm: algo,
	}
	if err := k.validate(); err != nil {
		return Key{}, err
	}
	if err := os.MkdirAll(filepath.Dir(k.Path(dataDir)), 0o700); err != nil {
		return Key{}, fmt.Errorf("dkim keygen: %w", err)
	}
	for _, a := range algorithms {
		other := Key{Domain: k.Domain, Selector: k.Selector, Algorithm: a}
		switch _, err := os.Lstat(other.Path(dataDir)); {
		case err == nil:
			return Key{}, fmt.Errorf("%w: %s already has selector %s (%s)", ErrKeyExists, k.Domain, k.Selector, other.Path(dataDir))
		case !errors.Is(err, fs.ErrNotExist):
			return Key{}, fmt.Errorf("dkim keygen: %w", err)
		}
	}
	signer, err := newPrivateKey(algo)
	if err != nil {
		return Key{}, fmt.Errorf("dkim keygen: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return Key{}, fmt.Errorf("dkim keygen: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der})
	if err := writeNewFile(k.Path(dataDir), data); err != nil {
		return Key{}, err
	}
	k.Signer = signer
	return k, nil
}

func newPrivateKey(algo Algorithm) (crypto.Signer, error) {
	if algo == RSA {
		return rsa.GenerateKey(rand.Reader, rsaBits)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// writeNewFile writes data to the new file path with mode 0600 and syncs
// it and its directory. It fails with ErrKeyExists if path exists, and
// removes what it wrote if it fails after creating the file.
func writeNewFile(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s", ErrKeyExists, path)
	}
	if err != nil {
		return fmt.Errorf("dkim keygen: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("dkim keygen: %w", errors.Join(err, os.Remove(path)))
		}
	}()
	if _, err := f.Write(data); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// validate checks the names and the algorithm of k, which must already be
// lower-case.
func (k Key) validate() error {
	if k.Algorithm != Ed25519 && k.Algorithm != RSA {
		return fmt.Errorf("%w: %q (want %s or %s)", ErrUnknownAlgorithm, k.Algorithm, Ed25519, RSA)
	}
	if !validDomain(k.Domain) {
		return fmt.Errorf("%w: %q (want a host name such as example.org, international names in xn-- form)", ErrInvalidDomain, k.Domain)
	}
	if !validLabels(k.Selector) {
		return fmt.Errorf("%w: %q (want letters, digits and hyphens, such as mn1-ed25519)", ErrInvalidSelector, k.Selector)
	}
	if name := k.recordName(); len(name) > maxNameLen {
		return fmt.Errorf("%w: record name %s is longer than %d characters", ErrInvalidSelector, name, maxNameLen)
	}
	return nil
}

// validDomain reports whether s is a lower-case host name of at least two
// labels whose last label is not all digits (so not an IPv4 address).
func validDomain(s string) bool {
	if len(s) > maxNameLen || !validLabels(s) {
		return false
	}
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return false
	}
	return strings.Trim(s[i+1:], "0123456789") != ""
}

// validLabels reports whether s is one or more dot-separated lower-case
// labels of letters, digits and hyphens, neither starting nor ending with a
// hyphen: the sub-domain of RFC 5321 §4.1.2, to which RFC 6376 §3.1
// restricts selectors, and the host names of RFC 1123 §2.1.
func validLabels(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > maxLabelLen || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}
