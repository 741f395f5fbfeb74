package control

import (
	"context"

	"mailnet/storage"
)

// opCounsellors is the request of Ops.Counsellors.
const opCounsellors = "counsellors"

// Counsellors implements Ops.
func (l *Local) Counsellors(ctx context.Context) ([]storage.Counsellor, error) {
	return l.DB.Counsellors(ctx)
}

// Counsellors implements Ops.
func (c *Client) Counsellors(ctx context.Context) ([]storage.Counsellor, error) {
	var out []storage.Counsellor
	err := c.call(ctx, request{Op: opCounsellors}, &out)
	return out, err
}
