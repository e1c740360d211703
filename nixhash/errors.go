package nixhash

import (
	"errors"
	"strconv"
)

// Sentinels matched under errors.Is by the errors of this package.
var (
	// ErrAlgorithm: an unknown or missing hash algorithm, or one that is
	// not the algorithm the context requires.
	ErrAlgorithm = errors.New("nixhash: bad hash algorithm")
	// ErrEncoding: a hash whose text is not valid base16, nix32 or
	// base64, or has a length that fits no form of its algorithm.
	ErrEncoding = errors.New("nixhash: bad hash encoding")
)

// Error is a hash that could not be parsed: the input, what is wrong, and
// the sentinel it matches (ErrAlgorithm or ErrEncoding).
type Error struct {
	// Input is the text that was parsed (shortened if long).
	Input string
	// Err is ErrAlgorithm or ErrEncoding.
	Err error
	msg string
}

// Error returns e.g. `nixhash: "sha256:xyz": hash of 3 characters fits no encoding of sha256`.
func (e *Error) Error() string {
	in := e.Input
	if len(in) > 160 {
		in = in[:160] + "…"
	}
	return "nixhash: " + strconv.Quote(in) + ": " + e.msg
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func encodingError(input, msg string) error {
	return &Error{Input: input, Err: ErrEncoding, msg: msg}
}
