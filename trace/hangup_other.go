//go:build !linux

package trace

import "net"

// watchHangup is a no-op where the proxy cannot see a half-closed client
// hang up altogether: the daemon's side stays half-closed until the daemon
// answers or the other direction ends.
func watchHangup(client, daemon net.Conn) {}
