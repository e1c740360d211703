package wire

import (
	"errors"
	"io"
	"strconv"
)

// Sentinel errors. Errors returned by this package and by generated code
// match one of these (or io.EOF, io.ErrUnexpectedEOF, or an error of the
// underlying reader or writer) under errors.Is.
var (
	// ErrTooLarge reports a length, count or frame size above the allowed maximum.
	ErrTooLarge = errors.New("wire: length above limit")
	// ErrTooSmall reports a length or count below the allowed minimum.
	ErrTooSmall = errors.New("wire: length below minimum")
	// ErrRange reports a number that does not fit the type it is read into.
	ErrRange = errors.New("wire: number out of range")
	// ErrPadding reports non-zero bytes in the padding after a bytes payload.
	ErrPadding = errors.New("wire: non-zero padding")
	// ErrBool reports a boolean encoded as something other than 0 or 1.
	ErrBool = errors.New("wire: invalid boolean")
	// ErrTrailing reports bytes left over after a complete message.
	ErrTrailing = errors.New("wire: trailing bytes after message")
	// ErrInvalid reports a value that is not valid for its type, such as an
	// unknown enum number or a union tag that selects no variant.
	ErrInvalid = errors.New("wire: invalid value")
	// ErrVersion reports a value that cannot be encoded at the negotiated
	// protocol version or with the negotiated features.
	ErrVersion = errors.New("wire: value not representable at this protocol version")
	// ErrWriteTooLong reports a write past the declared length of a BytesWriter.
	ErrWriteTooLong = errors.New("wire: write exceeds declared length")
	// ErrIncomplete reports a BytesWriter closed before its declared length
	// was written.
	ErrIncomplete = errors.New("wire: closed before declared length was written")
	// ErrClosed reports a write to a closed BytesWriter or FramedWriter.
	ErrClosed = errors.New("wire: write after close")
	// ErrPartial reports a Writer whose stream carries part of a value
	// whose encoding failed (see Writer.Abort): nothing more can be
	// written to it.
	ErrPartial = errors.New("wire: part of a value that could not be encoded was sent")
)

// partialError is the sticky error of a Writer after Abort could not take
// a value back: it matches ErrPartial and the value's error.
type partialError struct{ cause error }

func (e *partialError) Error() string   { return ErrPartial.Error() + ": " + e.cause.Error() }
func (e *partialError) Unwrap() []error { return []error{ErrPartial, e.cause} }

// LimitError reports a number read from the wire outside its allowed range.
// It matches ErrTooLarge or ErrTooSmall (for lengths, counts and frames) or
// ErrRange (for numbers) under errors.Is.
type LimitError struct {
	What string // "string length", "bytes length", "count", "frame length" or "value"
	N    uint64 // the number read
	Min  uint64 // the smallest allowed
	Max  uint64 // the largest allowed
}

// Error says which number was out of which bound, e.g.
// "string length 1048577 exceeds limit 1048576".
func (e *LimitError) Error() string {
	n := strconv.FormatUint(e.N, 10)
	if e.N > e.Max {
		return e.What + " " + n + " exceeds limit " + strconv.FormatUint(e.Max, 10)
	}
	return e.What + " " + n + " below minimum " + strconv.FormatUint(e.Min, 10)
}

// Is reports whether target is the sentinel that e stands for.
func (e *LimitError) Is(target error) bool {
	switch target {
	case ErrRange:
		return e.What == "value"
	case ErrTooLarge:
		return e.What != "value" && e.N > e.Max
	case ErrTooSmall:
		return e.What != "value" && e.N < e.Min
	}
	return false
}

func checkLen(what string, n, min, max uint64) error {
	if n < min || n > max {
		return &LimitError{What: what, N: n, Min: min, Max: max}
	}
	return nil
}

// Error is a decode or encode error with the place where it happened: the
// path of the field inside the top-level type and the byte offset of the
// value that failed. It renders as, for example,
//
//	decode ValidPathInfo.References[3] at byte 184: string length 1048577 exceeds limit 1048576
//
// and unwraps to the underlying error, so errors.Is(err, ErrTooLarge) holds.
type Error struct {
	Op     string // "decode" or "encode"
	Type   string // the top-level type, e.g. "ValidPathInfo"
	Field  string // the path below it, e.g. ".References[3]"; may be empty
	Offset int64  // byte offset of the failing value; -1 when unknown (encode)
	Err    error  // the underlying error
}

// Error renders the operation, path, offset and cause.
func (e *Error) Error() string {
	s := e.Op + " " + e.Type + e.Field
	if e.Offset >= 0 {
		s += " at byte " + strconv.FormatInt(e.Offset, 10)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ConsumeError wraps err, returned while decoding field of typ on the byte
// path, in an *Error. off is the offset of the failing value from the start
// of the typ value. If err is already an *Error from a nested type, whose
// offset is relative to the nested value, its path is re-rooted under
// typ+field and off is added to its offset, so the result names the whole
// path from the outermost type. io.EOF is kept only when off is 0 (the input
// ended cleanly before the value started); anywhere else it becomes
// io.ErrUnexpectedEOF. It is meant for generated code, on the error path.
func ConsumeError(typ, field string, off int, err error) error {
	return decodeError(typ, field, int64(off), int64(off), off == 0, err)
}

// ReadError is ConsumeError for the stream path, where offsets are absolute
// (Reader.Offset) and start is the offset at which the typ value began.
func ReadError(typ, field string, off, start int64, err error) error {
	return decodeError(typ, field, off, 0, off == start, err)
}

func decodeError(typ, field string, off, add int64, atStart bool, err error) error {
	e := &Error{Op: "decode", Type: typ, Field: field, Offset: off, Err: err}
	var inner *Error
	if errors.As(err, &inner) && inner.Op == "decode" {
		e.Field += inner.Field
		e.Offset = inner.Offset + add
		e.Err = inner.Err
	}
	if e.Err == io.EOF && !atStart {
		e.Err = io.ErrUnexpectedEOF
	}
	return e
}

// EncodeError wraps err, found while encoding field of typ, in an *Error,
// re-rooting a nested *Error as ConsumeError does. Encode errors carry no
// offset.
func EncodeError(typ, field string, err error) error {
	e := &Error{Op: "encode", Type: typ, Field: field, Offset: -1, Err: err}
	var inner *Error
	if errors.As(err, &inner) && inner.Op == "encode" {
		e.Field += inner.Field
		e.Err = inner.Err
	}
	return e
}

// ValueError reports a number that its type does not allow where it stands:
// an unknown enum value or union tag, an optional tag other than 0 or 1, or
// a value that does not exist at the negotiated protocol. It matches Err
// (ErrInvalid or ErrVersion) under errors.Is.
type ValueError struct {
	What  string // what the number is, e.g. "union tag", "optional tag", "BuildMode value"
	Value uint64 // the number
	Want  string // the only value allowed, for a constant; "" otherwise
	Err   error  // ErrInvalid or ErrVersion
	Hex   bool   // spell Value in hexadecimal, as the schema writes the constant
}

// Error names the number and why it is refused, e.g.
// "invalid union tag 0x12345678".
func (e *ValueError) Error() string {
	n := spellNumber(e.Value)
	if e.Hex {
		n = "0x" + strconv.FormatUint(e.Value, 16)
	}
	switch {
	case e.Err == ErrVersion:
		return e.What + " " + n + " does not exist at this protocol version"
	case e.Want != "":
		return "invalid " + e.What + " " + n + ", want " + e.Want
	}
	return "invalid " + e.What + " " + n
}

// spellNumber writes small numbers in decimal and large ones, which are
// mostly magic numbers, in hexadecimal.
func spellNumber(v uint64) string {
	if v >= 1<<16 {
		return "0x" + strconv.FormatUint(v, 16)
	}
	return strconv.FormatUint(v, 10)
}

// Unwrap returns ErrInvalid or ErrVersion.
func (e *ValueError) Unwrap() error { return e.Err }

// NilError reports a nil union value (or a nil pointer to one of its
// variants), which has no encoding. It matches ErrInvalid under
// errors.Is.
type NilError struct {
	Type string // the union, e.g. "GCAction"
}

// Error says that the value is nil, e.g. "nil GCAction: a union value
// must be one of its variants".
func (e *NilError) Error() string {
	return "nil " + e.Type + ": a union value must be one of its variants"
}

// Unwrap returns ErrInvalid.
func (e *NilError) Unwrap() error { return ErrInvalid }

// Invalid returns a *ValueError matching ErrInvalid: v is not a valid what.
// It is meant for generated code, on the error path.
func Invalid(what string, v uint64) error { return &ValueError{What: what, Value: v, Err: ErrInvalid} }

// Mismatch returns a *ValueError matching ErrInvalid: the constant v read
// from the wire is not want. It is meant for generated code.
func Mismatch(v, want uint64) error {
	return &ValueError{What: "constant", Value: v, Want: spellNumber(want), Err: ErrInvalid}
}

// MismatchHex is Mismatch for a constant written in hexadecimal: both
// numbers are spelled so ("invalid constant 0x6b77, want 0x6b76").
func MismatchHex(v, want uint64) error {
	return &ValueError{What: "constant", Value: v, Want: "0x" + strconv.FormatUint(want, 16), Hex: true, Err: ErrInvalid}
}

// NotInVersion returns a *ValueError matching ErrVersion: v exists, but not
// at the negotiated protocol. It is meant for generated code.
func NotInVersion(what string, v uint64) error {
	return &ValueError{What: what, Value: v, Err: ErrVersion}
}
