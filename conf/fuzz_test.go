package conf

import (
	"testing"
)

// FuzzParse checks that Parse never panics, that every error it returns
// formats, and that a Config it returns is valid.
func FuzzParse(f *testing.F) {
	f.Add(DefaultTOML())
	f.Add([]byte(""))
	f.Add([]byte("hostname = \"mx.example.org\"\ncolour = 1\n[listen]\nsmtp = \"localhost:25\"\n[limits]\nrecipients = 0\n"))
	f.Add([]byte("[limits]\nmessage_size = 10485760\nlogin_window = \"1h30m\"\n"))
	f.Add([]byte("log = \"debug\"\n[[domains]]\nx = 1\n"))
	f.Add([]byte("Hostname = 'a'\n[listen.smtp]\nx = [1, {a = 2}]\n"))
	f.Add([]byte("[dns]\nservers = [\"::1\", 5, 1979-05-27T07:32:00Z]\n"))
	f.Add([]byte("[tls\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if c != nil {
				t.Errorf("Parse returned both a Config and an error")
			}
			_ = err.Error()
			return
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Parse returned a Config that does not validate: %v", err)
		}
	})
}
