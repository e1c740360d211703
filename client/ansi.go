package client

import (
	"strconv"
	"strings"
)

// StripANSI removes ANSI escape sequences (CSI sequences such as
// "\x1b[35;1m", and other two-byte escapes) from s. Nix daemons put them
// in messages whatever the client's terminal.
func StripANSI(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 0x1b {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '[' {
			// CSI: parameters and intermediates, then a final byte 0x40–0x7e.
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		i++ // a two-byte escape
	}
	return b.String()
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
