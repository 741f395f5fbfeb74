package sla

import (
	"fmt"
	"time"
)

// French day and month names, for FrenchDate.
var (
	frenchDays   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre"}
)

// FrenchDate formats t, in its own location, the French way:
// "jeudi 3 décembre 2026 à 10 h 00". The first day of a month is written
// "1er" ("mardi 1er décembre 2026 à 9 h 30"), as French typography
// requires; the hour has no leading zero, the minutes two digits.
func FrenchDate(t time.Time) string {
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %s %d à %d h %02d", frenchDays[t.Weekday()], day, frenchMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
