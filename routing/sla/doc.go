// Package sla is the business calendar of the answer commitment: every
// client message is answered within a number of business hours (72 by
// default), and the client is told before that deadline when it cannot be
// met. Given a receipt time, a [Calendar] computes the deadline ([Calendar.Due]),
// the time of the "answer delayed" notice ([Calendar.Notice]), the new
// contact offered in that notice ([Calendar.NextContact]) and a readable
// account of the computation ([Calendar.Explain]).
//
// The package is pure computation: no clock, no I/O, no global state. It
// does not read the configuration; the caller maps it to [Options].
//
// # Business days
//
// A business day is a calendar day, in [Options.Location], whose weekday is
// in [Options.Weekdays] (Monday to Friday by default) and which is neither a
// French public holiday (when [Options.Holidays] is set) nor listed in
// [Options.ExtraClosed]. The French holidays come from
// github.com/rickar/cal/v2/fr, which lists New Year's Day, Easter Monday,
// 1 May, 8 May, Ascension, Whit Monday (Lundi de Pentecôte), 14 July,
// 15 August, 1 November, 11 November and Christmas, all as public
// holidays. Whit Monday is also the "journée de solidarité", a working day
// in some services: set [Options.WhitMondayOpen] to count it as a business
// day. Easter-based dates are computed by the library, which is why it is
// used rather than a table of our own.
//
// # Rules
//
// [RuleBusinessDays] (the default) counts every hour of a business day and
// none of a closed day. A business day counts as 24 hours of wall-clock
// time whatever its real length: the two DST days in Europe/Paris last 23
// and 25 hours, and the deadline keeps its wall-clock time across them. A
// message received on a business day starts the clock at once; one
// received on a closed day starts it at 00:00 of the next business day.
// With 72 hours:
//
//	received Mon 10:00             → due Thu 10:00
//	received Fri 16:00             → due Wed 16:00 (Sat and Sun skipped)
//	received Sat 11:00             → clock from Mon 00:00, due Thu 00:00
//	received Thu 24 Dec 2026 15:00 → due Wed 30 Dec 15:00 (Noël and the weekend skipped)
//
// [RuleOfficeHours] counts only the time in [OfficeStart, OfficeEnd) of
// business days, by default 09:00–17:00, so 8 hours a day. A message
// received before opening starts the clock at opening; one received at or
// after closing, or on a closed day, at the next opening. With 72 hours
// (9 office days): received Mon 10:00 → due Fri 10:00 of the next week.
// Office hours are counted in wall-clock time too; a DST change at night
// does not touch them.
//
// A deadline that ends exactly where a business day ends is given as the
// start of the next counted time: 00:00 (or the opening time) of the next
// business day, never a time on a closed day. So Due is always on a
// business day and the deadline is the same instant of counted time.
//
// The notice is due [Options.NoticeBefore] of counted time before the
// deadline (24 hours, one business day, by default): received Mon 10:00 →
// notice Wed 10:00, due Thu 10:00. It is never before the clock starts.
//
// # Caveats
//
// A receipt time that does not exist or exists twice in local time (the
// DST changes at 02:00–03:00) is read as the wall-clock time it shows; a
// deadline falling in the missing hour is moved by the time package, at
// most one hour later. Neither happens with the default weekdays, as both
// changes fall on a Sunday.
package sla
