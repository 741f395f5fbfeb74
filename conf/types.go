package conf

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Addr is a listening address: an IP literal and a port. The zero Addr means
// "disabled"; it is written as the empty string in TOML.
//
// IPv6 addresses take brackets: "[::1]:1993". Host names are not accepted,
// so that what a listener binds to never depends on DNS. Port 0 asks the
// system for a free port, which suits tests.
type Addr struct {
	netip.AddrPort
}

// IsSet reports whether a is an address to listen on rather than "disabled".
func (a Addr) IsSet() bool { return a.AddrPort.IsValid() }

// String returns "IP:port", or "" when a is not set.
func (a Addr) String() string {
	if !a.IsSet() {
		return ""
	}
	return a.AddrPort.String()
}

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (a Addr) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts "IP:port"
// ("127.0.0.1:2525", "[::1]:1993", "0.0.0.0:25", "[::]:25") and the empty
// string, which leaves a unset.
func (a *Addr) UnmarshalText(text []byte) error {
	s := string(text)
	if s == "" {
		*a = Addr{}
		return nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return fmt.Errorf("invalid address %q: want IP:port such as 127.0.0.1:25 or [::1]:25, or \"\" to disable", s)
	}
	*a = Addr{ap}
	return nil
}

// Units for [Size].
const (
	KB  Size = 1000      // KB is a kilobyte, 1000 bytes.
	MB  Size = 1000 * KB // MB is a megabyte, 10⁶ bytes.
	GB  Size = 1000 * MB // GB is a gigabyte, 10⁹ bytes.
	KiB Size = 1 << 10   // KiB is a kibibyte, 1024 bytes.
	MiB Size = 1 << 20   // MiB is a mebibyte, 1024 KiB.
	GiB Size = 1 << 30   // GiB is a gibibyte, 1024 MiB.
)

// Size is an amount of bytes. In TOML it is a bare integer of bytes, or a
// string of an integer and a unit: "512KiB", "25MiB", "1GiB" (powers of
// 1024) or "10MB" (powers of 1000). Units are case-insensitive; "B" means
// bytes. Fractions are not accepted.
type Size int64

// String returns the size in the largest unit that divides it exactly,
// binary units first ("25MiB", "10MB"), or in bytes ("1023").
func (s Size) String() string {
	if s > 0 {
		for _, u := range [...]struct {
			n    Size
			name string
		}{{GiB, "GiB"}, {MiB, "MiB"}, {KiB, "KiB"}, {GB, "GB"}, {MB, "MB"}, {KB, "KB"}} {
			if s%u.n == 0 {
				return strconv.FormatInt(int64(s/u.n), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(s), 10)
}

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; see [Size] for the
// accepted forms.
func (s *Size) UnmarshalText(text []byte) error {
	v, err := parseSize(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// parseSize parses the forms described at Size.
func parseSize(s string) (Size, error) {
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits == 0 {
		return 0, fmt.Errorf("invalid size %q: want a number of bytes or a number and a unit, such as 25MiB", s)
	}
	n, err := strconv.ParseInt(s[:digits], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	rest := strings.TrimSpace(s[digits:])
	if strings.HasPrefix(rest, ".") {
		return 0, fmt.Errorf("invalid size %q: fractions are not accepted, use a smaller unit", s)
	}
	var unit Size
	switch strings.ToLower(rest) {
	case "", "b":
		unit = 1
	case "kb":
		unit = KB
	case "mb":
		unit = MB
	case "gb":
		unit = GB
	case "kib":
		unit = KiB
	case "mib":
		unit = MiB
	case "gib":
		unit = GiB
	default:
		return 0, fmt.Errorf("invalid size %q: unknown unit (want B, KB, MB, GB, KiB, MiB or GiB)", s)
	}
	if n > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return Size(n) * unit, nil
}

// Duration is a [time.Duration] that reads and writes in TOML as a Go
// duration string: "30s", "5m", "1h30m".
type Duration struct {
	time.Duration
}

// String returns the duration like time.Duration.String does, without the
// trailing zero units: "5m" rather than "5m0s", "1h" rather than "1h0m0s".
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with
// [time.ParseDuration].
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q: want a number and a unit, such as 30s, 5m or 1h30m", text)
	}
	d.Duration = v
	return nil
}

// ClockTime is a time of day, as the wall-clock time since midnight. In
// TOML it is a string "HH:MM" from "00:00" to "24:00".
type ClockTime struct {
	time.Duration
}

// String returns the time as "HH:MM".
func (c ClockTime) String() string {
	return fmt.Sprintf("%02d:%02d", int(c.Duration/time.Hour), int(c.Duration%time.Hour/time.Minute))
}

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (c ClockTime) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; see [ClockTime].
func (c *ClockTime) UnmarshalText(text []byte) error {
	s := string(text)
	h, m, ok := strings.Cut(s, ":")
	hh, herr := strconv.Atoi(h)
	mm, merr := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || herr != nil || merr != nil || hh > 24 || mm > 59 || hh == 24 && mm != 0 {
		return fmt.Errorf("invalid time of day %q: want HH:MM such as 09:00", s)
	}
	c.Duration = time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
	return nil
}

// weekdayNames are the TOML names of the days of the week, by
// [time.Weekday].
var weekdayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Weekday is a day of the week. In TOML it is its three-letter English
// abbreviation in lower case: "mon" … "sun".
type Weekday struct {
	time.Weekday
}

// String returns the three-letter name, such as "mon".
func (w Weekday) String() string {
	if w.Weekday < time.Sunday || w.Weekday > time.Saturday {
		return strconv.Itoa(int(w.Weekday))
	}
	return weekdayNames[w.Weekday]
}

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (w Weekday) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; see [Weekday].
func (w *Weekday) UnmarshalText(text []byte) error {
	for i, name := range weekdayNames {
		if strings.EqualFold(string(text), name) {
			w.Weekday = time.Weekday(i)
			return nil
		}
	}
	return fmt.Errorf("invalid weekday %q: want mon, tue, wed, thu, fri, sat or sun", text)
}

// Date is a civil date with no time or zone. In TOML it is a string
// "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String returns the date as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; see [Date].
func (d *Date) UnmarshalText(text []byte) error {
	t, err := time.Parse(time.DateOnly, string(text))
	if err != nil {
		return fmt.Errorf("invalid date %q: want YYYY-MM-DD such as 2026-12-24", text)
	}
	*d = Date{t.Year(), t.Month(), t.Day()}
	return nil
}

// Period is a retention period. In TOML it is "forever" (the zero value),
// or a whole number of days or years: "90d", "10y" (a year is 365 days).
type Period struct {
	time.Duration
}

const day = 24 * time.Hour

// String returns "forever", "Ny" when the period is whole years, or "Nd".
func (p Period) String() string {
	switch d := p.Duration; {
	case d == 0:
		return "forever"
	case d%(365*day) == 0:
		return fmt.Sprintf("%dy", d/(365*day))
	default:
		return fmt.Sprintf("%dd", d/day)
	}
}

// MarshalText implements [encoding.TextMarshaler] with the format of String.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; see [Period].
func (p *Period) UnmarshalText(text []byte) error {
	s := string(text)
	if s == "forever" {
		p.Duration = 0
		return nil
	}
	unit := day
	switch {
	case strings.HasSuffix(s, "y"):
		unit = 365 * day
	case !strings.HasSuffix(s, "d"):
		return fmt.Errorf("invalid period %q: want forever, or days or years such as 90d or 10y", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 || n > 1000*365 {
		return fmt.Errorf("invalid period %q: want forever, or days or years such as 90d or 10y", s)
	}
	p.Duration = time.Duration(n) * unit
	return nil
}

// Prefix is an IP network, e.g. "10.0.0.0/8" or "::1/128". In TOML it is
// a string; a bare address means that one address.
type Prefix struct {
	netip.Prefix
}

// MarshalText implements [encoding.TextMarshaler].
func (p Prefix) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (p *Prefix) UnmarshalText(text []byte) error {
	s := string(text)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("invalid network %q: want an address or address/bits, such as 10.0.0.0/8", text)
		}
		p.Prefix = netip.PrefixFrom(a, a.BitLen())
		return nil
	}
	v, err := netip.ParsePrefix(s)
	if err != nil {
		return fmt.Errorf("invalid network %q: want an address or address/bits, such as 10.0.0.0/8", text)
	}
	p.Prefix = v.Masked()
	return nil
}
