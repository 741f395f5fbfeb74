package conf

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load reads the TOML file at path once and returns it decoded over
// [Default] and validated, as [Parse] does. The error reports every problem
// in the file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes the TOML document data over [Default], lower-cases
// Hostname, Domains and Public.Host, and validates the result.
//
// On failure it returns a nil Config and an error that is either a single
// [*KeyError] for a TOML syntax error, with its line, or else every problem
// at once, joined with [errors.Join], each a *KeyError: each value that does
// not decode (with its line), each unknown key (wrapping [ErrUnknownKey]),
// and each problem found by [Config.Validate]. A value that does not decode
// keeps its default for validation, so it causes no further errors.
func Parse(data []byte) (*Config, error) {
	c := Default()
	problems, err := decode(data, c)
	if err != nil {
		return nil, err
	}
	c.Hostname = strings.ToLower(c.Hostname)
	c.Public.Host = strings.ToLower(c.Public.Host)
	for i, d := range c.Domains {
		c.Domains[i] = strings.ToLower(d)
	}
	if err := errors.Join(append(problems, c.Validate())...); err != nil {
		return nil, err
	}
	return c, nil
}

// decode sets the fields of c that data defines. It decodes each option on
// its own, so that one bad value does not hide the problems after it: the
// document is first decoded into a "shadow" struct whose fields are all
// toml.Primitive, then each defined Primitive is decoded into its field.
// It returns the problems with single keys, or err for a syntax error,
// after which nothing is decoded.
func decode(data []byte, c *Config) (problems []error, err error) {
	dst := reflect.ValueOf(c).Elem()
	shadow := reflect.New(shadowType(dst.Type()))
	md, err := toml.Decode(string(data), shadow.Interface())
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &KeyError{Line: pe.Position.Line, Err: errors.New(pe.Message)}
		}
		return nil, err
	}
	problems = decodeFields(&md, shadow.Elem(), dst, "")
	problems = append(problems, unknownKeys(md.Keys(), knownKeys(dst.Type()))...)
	return problems, nil
}

// decodeFields decodes each Primitive field of shadow that the document
// defines into the matching field of dst, recursing into sections. parent
// is the dotted key of dst, "" at the top.
func decodeFields(md *toml.MetaData, shadow, dst reflect.Value, parent string) []error {
	var errs []error
	for i := range dst.NumField() {
		sf := shadow.Field(i)
		if sf.IsZero() { // not in the document
			continue
		}
		prim := sf.Interface().(toml.Primitive)
		key := joinKey(parent, tomlName(dst.Type().Field(i)))
		f := dst.Field(i)
		if isSection(f.Type()) {
			sub := reflect.New(shadowType(f.Type()))
			if err := md.PrimitiveDecode(prim, sub.Interface()); err != nil {
				errs = append(errs, &KeyError{Key: key, Line: keyLine(md, prim), Err: errors.New("must be a table")})
				continue
			}
			errs = append(errs, decodeFields(md, sub.Elem(), f, key)...)
			continue
		}
		// Decode into a fresh value and keep it only on success, so that a
		// bad value leaves the default in place rather than half a value.
		v := reflect.New(f.Type())
		if err := md.PrimitiveDecode(prim, v.Interface()); err != nil {
			errs = append(errs, valueError(md, prim, key, f.Type(), err))
			continue
		}
		f.Set(v.Elem())
	}
	return errs
}

// valueError turns an error from decoding one value into a KeyError with
// the value's line.
func valueError(md *toml.MetaData, prim toml.Primitive, key string, t reflect.Type, err error) *KeyError {
	var pe toml.ParseError
	if errors.As(err, &pe) { // an UnmarshalText error, or an integer out of range
		return &KeyError{Key: key, Line: pe.Position.Line, Err: errors.New(pe.Message)}
	}
	// Otherwise the TOML type does not fit the field.
	return &KeyError{Key: key, Line: keyLine(md, prim), Err: fmt.Errorf("wrong type: want %s", typeName(t))}
}

// keyLine returns the line where prim is defined, or 0 if that is not
// known. The toml package reports positions only in a ParseError, so
// keyLine decodes prim into a value that always fails to get one; this
// works for every scalar value.
func keyLine(md *toml.MetaData, prim toml.Primitive) int {
	var pe toml.ParseError
	if errors.As(md.PrimitiveDecode(prim, new(lineProbe)), &pe) {
		return pe.Position.Line
	}
	return 0
}

// lineProbe is a TextUnmarshaler that always fails; see keyLine.
type lineProbe struct{}

// UnmarshalText returns an error.
func (*lineProbe) UnmarshalText([]byte) error { return errors.New("line probe") }

// unknownKeys returns an ErrUnknownKey KeyError for each key of the
// document, in document order, that is not in known (a set of dotted keys),
// leaving out those below a key already reported.
//
// Matching is exact, unlike toml's own field matching, which also accepts a
// key in another case (MetaData.Undecoded would miss "Hostname"): keys that
// differ only in case could otherwise both be given, one silently winning.
func unknownKeys(keys []toml.Key, known map[string]bool) []error {
	var errs []error
	var reported []toml.Key
	for _, k := range keys {
		if known[k.String()] || slices.ContainsFunc(reported, func(r toml.Key) bool { return hasPrefix(k, r) }) {
			continue
		}
		reported = append(reported, k)
		err := ErrUnknownKey
		for want := range known {
			if strings.EqualFold(want, k.String()) {
				err = fmt.Errorf("%w (keys are case-sensitive: did you mean %q?)", ErrUnknownKey, want)
				break
			}
		}
		errs = append(errs, &KeyError{Key: k.String(), Err: err})
	}
	return errs
}

// hasPrefix reports whether k is p or a key below p.
func hasPrefix(k, p toml.Key) bool {
	return len(k) >= len(p) && slices.Equal(k[:len(p)], p)
}

// knownKeys returns the dotted key of every section and option of the
// struct type t.
func knownKeys(t reflect.Type) map[string]bool {
	known := make(map[string]bool)
	var walk func(t reflect.Type, parent string)
	walk = func(t reflect.Type, parent string) {
		for i := range t.NumField() {
			key := joinKey(parent, tomlName(t.Field(i)))
			known[key] = true
			if isSection(t.Field(i).Type) {
				walk(t.Field(i).Type, key)
			}
		}
	}
	walk(t, "")
	return known
}

// shadowType returns a struct type with the fields of the struct type t,
// names and tags included, each of type toml.Primitive.
func shadowType(t reflect.Type) reflect.Type {
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = reflect.StructField{Name: f.Name, Type: reflect.TypeFor[toml.Primitive](), Tag: f.Tag}
	}
	return reflect.StructOf(fields)
}

// isSection reports whether t is decoded from a TOML table: a struct that
// does not decode itself from text.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// tomlName returns the TOML key of a struct field: its tag name, or else
// its Go name.
func tomlName(f reflect.StructField) string {
	if name, _, _ := strings.Cut(f.Tag.Get("toml"), ","); name != "" {
		return name
	}
	return f.Name
}

// joinKey returns the dotted key of name below parent.
func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// typeName describes the TOML value a field of type t takes.
func typeName(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[Size]():
		return "a string or an integer"
	case reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()):
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice:
		return "an array"
	}
	return t.String()
}
