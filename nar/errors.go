package nar

import (
	"errors"
	"strconv"
)

// ErrInvalid is matched (under errors.Is) by every error that reports input
// which is not a valid NAR: a wrong token, bad padding, unsorted or invalid
// entry names, or a limit exceeded.
var ErrInvalid = errors.New("nar: invalid archive")

// Error reports a problem found while scanning a NAR: where it was found and
// why. Err is the cause: an error matching ErrInvalid for a grammar
// violation, io.ErrUnexpectedEOF when the input ended inside the NAR, or an
// error of the underlying reader, returned unchanged.
type Error struct {
	// Offset is the byte offset in the NAR of the token that was found
	// wrong, or where the input stopped for an end of input or a read
	// error.
	Offset int64
	// Path is the path inside the archive of the node being read ("" for
	// the root, else slash-separated names such as "bin/hello").
	Path string
	// Err is the cause.
	Err error
}

// Error returns the problem with its place, e.g.
//
//	nar: at byte 152 (in "bin"): entry names not in ascending order: "a" after "b"
func (e *Error) Error() string {
	s := "nar: at byte " + strconv.FormatInt(e.Offset, 10)
	if e.Path != "" {
		s += " (in " + strconv.Quote(e.Path) + ")"
	}
	var se *syntaxError
	if errors.As(e.Err, &se) {
		return s + ": " + se.msg
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// syntaxError is a grammar violation; it matches ErrInvalid.
type syntaxError struct{ msg string }

// Error returns the violation.
func (e *syntaxError) Error() string { return "nar: invalid archive: " + e.msg }

// Is makes a syntaxError match ErrInvalid.
func (e *syntaxError) Is(target error) bool { return target == ErrInvalid }
