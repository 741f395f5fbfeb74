package queue

import "errors"

// ErrBusy reports that DeliverNow was called for an entry that is being
// delivered at that moment; its results will be saved as usual.
var ErrBusy = errors.New("queue: delivery in progress")
