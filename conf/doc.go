// Package conf reads mailnet's configuration: one TOML file, decoded into
// typed structs and validated.
//
// [Load] reads the file once and [Parse] does the work on bytes: the
// document is decoded over [Default], the one place defaults live, so an
// option left out keeps its default; then [Config.Validate] checks the
// result. [DefaultTOML] is a complete, commented file holding every option
// at its default, printed by `mailnet config default`; a test keeps it equal
// to Default.
//
// Keys are snake_case ("data_dir", "[limits] message_size") and must be
// spelt exactly: unknown keys, including keys in the wrong case, are errors,
// so that a typo never silently leaves an option at its default. Listening
// addresses are IP literals ([Addr]), sizes take units ([Size]: "25MiB")
// and durations are Go durations ([Duration]: "5m").
//
// Errors report every problem at once, joined with [errors.Join]; each is a
// [*KeyError] naming the dotted key ("limits.recipients") and, for a value
// that does not decode, its line. A syntax error stops decoding and is
// reported alone.
//
// The package does no I/O beyond reading the file in Load: Validate does
// not check that paths exist, and the self-signed certificate used when no
// certificate is configured is made by the server, not here. A Config is
// plain data; nothing here changes it after returning it.
//
// conf is a leaf package: it imports no other mailnet package.
package conf
