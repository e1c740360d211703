package messages_test

// The benchmark baseline of the generated codec: QueryPathInfoReply (at
// 1.17 and later: a valid flag and an UnkeyedValidPathInfo) written by hand
// as straight-line code on a []byte with encoding/binary and append, and no
// wire.Reader, wire.Writer or wire.Append*/Consume* call. It makes the same
// limit and padding checks as the generated code (every limit of the
// schema, checked before anything is sliced or allocated; the bytes left;
// zero padding; bool and tag values; a non-negative registration time), as
// issue 9 defines it. With validate false it does not call
// StorePath.Validate, which the generated code calls on the deriver and on
// every reference (an IndexByte over each path): that check is then part of
// what the generated code costs against straight-line code. With validate
// true it calls it where the generated code does, so that the difference
// is the codec alone. Its errors are plain (no field path or offset): they
// are never on the measured path.

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// The limits of the schema (common.schema, worker.schema) for the fields of
// UnkeyedValidPathInfo.
const (
	baseMaxPath  = 4096    // StorePath, ContentAddress, Signature
	baseMaxHash  = 1024    // NarHash
	baseMaxCount = 1 << 20 // set<StorePath>, set<Signature>
)

var (
	errBaseShort = errors.New("baseline: short input")
	errBaseLimit = errors.New("baseline: over a limit")
	errBasePad   = errors.New("baseline: non-zero padding")
	errBaseValue = errors.New("baseline: invalid value")
)

// baseAppendString appends s as length, payload and zero padding.
func baseAppendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	b = append(b, s...)
	return append(b, make([]byte, -len(s)&7)...)
}

// baseAppendReply is the hand-written AppendWire of QueryPathInfoReply at
// a version of 1.17 or later.
func baseAppendReply(b []byte, m *messages.QueryPathInfoReply, validate bool) ([]byte, error) {
	start := len(b)
	if m.Info == nil {
		return binary.LittleEndian.AppendUint64(b, 0), nil
	}
	b = binary.LittleEndian.AppendUint64(b, 1)
	in := m.Info
	if validate && in.Deriver != "" {
		if err := in.Deriver.Validate(); err != nil {
			return b[:start], err
		}
	}
	if len(in.Deriver) > baseMaxPath || len(in.NarHash) > baseMaxHash || len(in.References) > baseMaxCount ||
		len(in.Sigs) > baseMaxCount || len(in.CA) > baseMaxPath || in.RegistrationTime < 0 {
		return b[:start], errBaseLimit
	}
	b = baseAppendString(b, string(in.Deriver))
	b = baseAppendString(b, string(in.NarHash))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(in.References)))
	for _, r := range in.References {
		if validate {
			if err := r.Validate(); err != nil {
				return b[:start], err
			}
		}
		if len(r) > baseMaxPath {
			return b[:start], errBaseLimit
		}
		b = baseAppendString(b, string(r))
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(in.RegistrationTime))
	b = binary.LittleEndian.AppendUint64(b, in.NarSize)
	var ult uint64
	if in.Ultimate {
		ult = 1
	}
	b = binary.LittleEndian.AppendUint64(b, ult)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(in.Sigs)))
	for _, s := range in.Sigs {
		if len(s) > baseMaxPath {
			return b[:start], errBaseLimit
		}
		b = baseAppendString(b, string(s))
	}
	return baseAppendString(b, string(in.CA)), nil
}

// baseNum reads a number.
func baseNum(b []byte) (uint64, []byte, error) {
	if len(b) < 8 {
		return 0, b, errBaseShort
	}
	return binary.LittleEndian.Uint64(b), b[8:], nil
}

// baseString reads a string of at most max bytes: the length is checked
// against max and the bytes left before anything is sliced or allocated,
// then the padding.
func baseString(b []byte, max uint64) (string, []byte, error) {
	if len(b) < 8 {
		return "", b, errBaseShort
	}
	n := binary.LittleEndian.Uint64(b)
	if n > max {
		return "", b, errBaseLimit
	}
	end := 8 + int(n)
	total := end + (-end & 7)
	if total > len(b) {
		return "", b, errBaseShort
	}
	for _, c := range b[end:total] {
		if c != 0 {
			return "", b, errBasePad
		}
	}
	return string(b[8:end]), b[total:], nil
}

// baseCount reads a set's count, at most max and at most one element (of at
// least 8 bytes) per 8 bytes left, so that allocating it is bounded by the
// input.
func baseCount(b []byte, max uint64) (int, []byte, error) {
	n, rest, err := baseNum(b)
	if err != nil {
		return 0, b, err
	}
	if n > max {
		return 0, b, errBaseLimit
	}
	if n > uint64(len(rest)/8) {
		return 0, b, errBaseShort
	}
	return int(n), rest, nil
}

// baseConsumeReply is the hand-written ConsumeWire of QueryPathInfoReply
// at a version of 1.17 or later: it overwrites m, reusing its slices.
func baseConsumeReply(b []byte, m *messages.QueryPathInfoReply, validate bool) ([]byte, error) {
	m.LegacyInfo = messages.UnkeyedValidPathInfo{}
	tag, b, err := baseNum(b)
	if err != nil {
		return b, err
	}
	switch tag {
	case 0:
		m.Info = nil
		return b, nil
	case 1:
	default:
		return b, errBaseValue
	}
	if m.Info == nil {
		m.Info = new(messages.UnkeyedValidPathInfo)
	}
	in := m.Info
	var s string
	if s, b, err = baseString(b, baseMaxPath); err != nil {
		return b, err
	}
	in.Deriver = messages.StorePath(s)
	if validate && in.Deriver != "" {
		if err := in.Deriver.Validate(); err != nil {
			return b, err
		}
	}
	if s, b, err = baseString(b, baseMaxHash); err != nil {
		return b, err
	}
	in.NarHash = messages.NarHash(s)
	var n int
	if n, b, err = baseCount(b, baseMaxCount); err != nil {
		return b, err
	}
	refs := in.References[:0]
	if cap(refs) < n {
		refs = make([]messages.StorePath, n)
	} else {
		refs = refs[:n]
	}
	for i := range refs {
		if s, b, err = baseString(b, baseMaxPath); err != nil {
			return b, err
		}
		refs[i] = messages.StorePath(s)
		if validate {
			if err := refs[i].Validate(); err != nil {
				return b, err
			}
		}
	}
	in.References = refs
	var v uint64
	if v, b, err = baseNum(b); err != nil {
		return b, err
	}
	if v > math.MaxInt64 {
		return b, errBaseLimit
	}
	in.RegistrationTime = int64(v)
	if in.NarSize, b, err = baseNum(b); err != nil {
		return b, err
	}
	if v, b, err = baseNum(b); err != nil {
		return b, err
	}
	if v > 1 {
		return b, errBaseValue
	}
	in.Ultimate = v == 1
	if n, b, err = baseCount(b, baseMaxCount); err != nil {
		return b, err
	}
	sigs := in.Sigs[:0]
	if cap(sigs) < n {
		sigs = make([]messages.Signature, n)
	} else {
		sigs = sigs[:n]
	}
	for i := range sigs {
		if s, b, err = baseString(b, baseMaxPath); err != nil {
			return b, err
		}
		sigs[i] = messages.Signature(s)
	}
	in.Sigs = sigs
	if s, b, err = baseString(b, baseMaxPath); err != nil {
		return b, err
	}
	in.CA = messages.ContentAddress(s)
	return b, nil
}

// baseProto is the version the benchmark encodes at (any from 1.17 on has
// the same layout).
var baseProto = wire.P(1, 38)
