package sla

import "errors"

// ErrInvalidOptions is wrapped by the error [New] returns for unusable
// [Options].
var ErrInvalidOptions = errors.New("sla: invalid options")
