package server

import (
	"errors"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Error is an error a handler returns to control what the client sees:
// the message, the exit status older clients get, the level and the trace
// lines of a structured (≥ 1.26) error. Any other error reaches the client
// as its Error() text with status 1.
type Error struct {
	// Message is the error message, without Nix's "error: " prefix.
	Message string
	// Status is the exit status sent to clients older than 1.26 (Nix uses
	// 1, and 100 to 104 for failed builds); 0 means 1.
	Status uint32
	// Level is the verbosity level of a structured error (default
	// messages.VerbosityError).
	Level messages.Verbosity
	// Traces are the trace lines of a structured error, innermost first.
	Traces []string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// legacyErrorPrefix is how Nix renders an error's what() for clients older
// than 1.26, which print the message as they receive it.
const legacyErrorPrefix = "\x1b[31;1merror:\x1b[0m "

// ErrorFrame returns the STDERR_ERROR frame that reports err to a client at
// p: structured from 1.26, the rendered message and an exit status before.
func ErrorFrame(err error, p wire.Proto) *messages.StderrError {
	e, ok := err.(*Error)
	if !ok {
		var target *Error
		if errors.As(err, &target) && target.Message == err.Error() {
			e = target
		} else {
			e = &Error{Message: err.Error()}
		}
	}
	if !p.AtLeast(1, 26) {
		status := e.Status
		if status == 0 {
			status = 1
		}
		return &messages.StderrError{Message: legacyErrorPrefix + e.Message, Status: status}
	}
	f := &messages.StderrError{Level: e.Level, Name: "Error", Message: e.Message}
	for _, t := range e.Traces {
		f.Traces = append(f.Traces, messages.Trace{Hint: t})
	}
	return f
}
