package nar

import (
	"bytes"
	"io"
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

// write writes p to dst and returns how many bytes dst took (a count
// outside 0..len(p) is taken as 0) and its error, io.ErrShortWrite for a
// short write without one. The scanner and the Writer share it.
func write(dst io.Writer, p []byte) (int, error) {
	n, err := dst.Write(p)
	if n < 0 || n > len(p) {
		n = 0
	}
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}
