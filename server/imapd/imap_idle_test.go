package imapd

import (
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// TestIdleSeesNewMailPromptly delivers through storage (as SMTP does) to
// two sessions idling on INBOX: both get EXISTS at once.
func TestIdleSeesNewMailPromptly(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	var idlers []*imapclient.IdleCommand
	counts := make([]chan uint32, 2)
	for i := range counts {
		ch := make(chan uint32, 4)
		counts[i] = ch
		c := env.login(t, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					ch <- *d.NumMessages
				}
			},
		}})
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		idle, err := c.Idle()
		if err != nil {
			t.Fatal(err)
		}
		idlers = append(idlers, idle)
	}
	start := time.Now()
	env.deliver(t, "INBOX", mail("nouveau", "x"))
	for i, ch := range counts {
		select {
		case n := <-ch:
			if n != 1 {
				t.Fatalf("session %d: EXISTS %d, want 1", i, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("session %d: no EXISTS within 5s", i)
		}
	}
	t.Logf("EXISTS reached both sessions %v after delivery", time.Since(start))
	for _, idle := range idlers {
		if err := idle.Close(); err != nil {
			t.Fatal(err)
		}
		if err := idle.Wait(); err != nil {
			t.Fatal(err)
		}
	}

}
