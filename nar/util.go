package nar

import (
	"bytes"
	"strconv"
)

// padLen is the number of zero bytes after a payload of n bytes.
func padLen(n uint64) int { return int(-n & 7) }

func zero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

func indexByte(p []byte, c byte) int { return bytes.IndexByte(p, c) }

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// quote quotes s for an error message, shortened if long.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
