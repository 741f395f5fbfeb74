package imapd

// handles reports whether the session answers name itself (none yet).
func (s *session) handles(string) bool { return false }

// run answers a command the session handles.
func (s *session) run(tag, _ string, _ []string) []string { return []string{tag + " BAD Unknown command"} }
