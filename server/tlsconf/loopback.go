package tlsconf

import "net"

// loopbacks are added to a "localhost" certificate so clients that connect
// to 127.0.0.1 or ::1 can verify it too.
var loopbacks = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
