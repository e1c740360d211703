package everything_test

import (
	"strconv"

	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/wire"
)

// handPathInfo is ValidPathInfo written by hand with wire calls, with the
// same checks as the generated code (limits, Validate, error paths): the
// baseline of the benchmarks.
type handPathInfo struct {
	Path             everything.StorePath
	Deriver          everything.StorePath
	NarHash          string
	References       []everything.StorePath
	RegistrationTime uint64
	NarSize          uint64
	Ultimate         bool
	Sigs             []string
	CA               string
}

const handType = "ValidPathInfo"

func checkPath(p everything.StorePath) error {
	if len(p) < 1 || len(p) > 4096 {
		return &wire.LimitError{What: "string length", N: uint64(len(p)), Min: 1, Max: 4096}
	}
	return p.Validate()
}

func (m *handPathInfo) WireSize(p wire.Proto) int {
	n := 8*3 + 8 + 8 + wire.BytesSize(len(m.Path)) + wire.BytesSize(len(m.Deriver)) +
		wire.BytesSize(len(m.NarHash)) + wire.BytesSize(len(m.CA))
	for _, r := range m.References {
		n += wire.BytesSize(len(r))
	}
	for _, s := range m.Sigs {
		n += wire.BytesSize(len(s))
	}
	return n
}

func (m *handPathInfo) AppendWire(b []byte, p wire.Proto) ([]byte, error) {
	start := len(b)
	if err := checkPath(m.Path); err != nil {
		return b, wire.EncodeError(handType, ".Path", err)
	}
	b = wire.AppendString(b, string(m.Path))
	if m.Deriver != "" {
		if err := checkPath(m.Deriver); err != nil {
			return b[:start], wire.EncodeError(handType, ".Deriver", err)
		}
	}
	b = wire.AppendString(b, string(m.Deriver))
	if len(m.NarHash) > 256 {
		return b[:start], wire.EncodeError(handType, ".NarHash", &wire.LimitError{What: "string length", N: uint64(len(m.NarHash)), Max: 256})
	}
	b = wire.AppendString(b, m.NarHash)
	if len(m.References) > 4096 {
		return b[:start], wire.EncodeError(handType, ".References", &wire.LimitError{What: "count", N: uint64(len(m.References)), Max: 4096})
	}
	b = wire.AppendUint64(b, uint64(len(m.References)))
	for i, r := range m.References {
		if err := checkPath(r); err != nil {
			return b[:start], wire.EncodeError(handType, ".References["+strconv.Itoa(i)+"]", err)
		}
		b = wire.AppendString(b, string(r))
	}
	b = wire.AppendUint64(b, m.RegistrationTime)
	b = wire.AppendUint64(b, m.NarSize)
	b = wire.AppendBool(b, m.Ultimate)
	if len(m.Sigs) > 4096 {
		return b[:start], wire.EncodeError(handType, ".Sigs", &wire.LimitError{What: "count", N: uint64(len(m.Sigs)), Max: 4096})
	}
	b = wire.AppendUint64(b, uint64(len(m.Sigs)))
	for i, s := range m.Sigs {
		if len(s) > 1024 {
			return b[:start], wire.EncodeError(handType, ".Sigs["+strconv.Itoa(i)+"]", &wire.LimitError{What: "string length", N: uint64(len(s)), Max: 1024})
		}
		b = wire.AppendString(b, s)
	}
	if len(m.CA) > 1024 {
		return b[:start], wire.EncodeError(handType, ".CA", &wire.LimitError{What: "string length", N: uint64(len(m.CA)), Max: 1024})
	}
	return wire.AppendString(b, m.CA), nil
}

func (m *handPathInfo) EncodeWire(w *wire.Writer, p wire.Proto) error {
	if err := checkPath(m.Path); err != nil {
		return wire.EncodeError(handType, ".Path", err)
	}
	w.String(string(m.Path))
	if m.Deriver != "" {
		if err := checkPath(m.Deriver); err != nil {
			return wire.EncodeError(handType, ".Deriver", err)
		}
	}
	w.String(string(m.Deriver))
	if len(m.NarHash) > 256 {
		return wire.EncodeError(handType, ".NarHash", &wire.LimitError{What: "string length", N: uint64(len(m.NarHash)), Max: 256})
	}
	w.String(m.NarHash)
	if len(m.References) > 4096 {
		return wire.EncodeError(handType, ".References", &wire.LimitError{What: "count", N: uint64(len(m.References)), Max: 4096})
	}
	w.Uint64(uint64(len(m.References)))
	for i, r := range m.References {
		if err := checkPath(r); err != nil {
			return wire.EncodeError(handType, ".References["+strconv.Itoa(i)+"]", err)
		}
		w.String(string(r))
	}
	w.Uint64(m.RegistrationTime)
	w.Uint64(m.NarSize)
	w.Bool(m.Ultimate)
	if len(m.Sigs) > 4096 {
		return wire.EncodeError(handType, ".Sigs", &wire.LimitError{What: "count", N: uint64(len(m.Sigs)), Max: 4096})
	}
	w.Uint64(uint64(len(m.Sigs)))
	for i, s := range m.Sigs {
		if len(s) > 1024 {
			return wire.EncodeError(handType, ".Sigs["+strconv.Itoa(i)+"]", &wire.LimitError{What: "string length", N: uint64(len(s)), Max: 1024})
		}
		w.String(s)
	}
	if len(m.CA) > 1024 {
		return wire.EncodeError(handType, ".CA", &wire.LimitError{What: "string length", N: uint64(len(m.CA)), Max: 1024})
	}
	w.String(m.CA)
	return w.Err()
}

func (m *handPathInfo) ConsumeWire(b []byte, p wire.Proto) ([]byte, error) {
	orig := b
	s, b, err := wire.ConsumeString(b, 1, 4096)
	if err != nil {
		return orig, wire.ConsumeError(handType, ".Path", len(orig)-len(b), err)
	}
	m.Path = everything.StorePath(s)
	if err := m.Path.Validate(); err != nil {
		return orig, wire.ConsumeError(handType, ".Path", len(orig)-len(b)-wire.BytesSize(len(s)), err)
	}
	if s, b, err = wire.ConsumeString(b, 0, 4096); err != nil {
		return orig, wire.ConsumeError(handType, ".Deriver", len(orig)-len(b), err)
	}
	m.Deriver = everything.StorePath(s)
	if s != "" {
		if err := m.Deriver.Validate(); err != nil {
			return orig, wire.ConsumeError(handType, ".Deriver", len(orig)-len(b)-wire.BytesSize(len(s)), err)
		}
	}
	if m.NarHash, b, err = wire.ConsumeString(b, 0, 256); err != nil {
		return orig, wire.ConsumeError(handType, ".NarHash", len(orig)-len(b), err)
	}
	n, b, err := wire.ConsumeCount(b, 0, 4096, 16)
	if err != nil {
		return orig, wire.ConsumeError(handType, ".References", len(orig)-len(b), err)
	}
	if cap(m.References) >= n {
		m.References = m.References[:n]
	} else {
		m.References = make([]everything.StorePath, n)
	}
	for i := range m.References {
		if s, b, err = wire.ConsumeString(b, 1, 4096); err != nil {
			return orig, wire.ConsumeError(handType, ".References["+strconv.Itoa(i)+"]", len(orig)-len(b), err)
		}
		m.References[i] = everything.StorePath(s)
		if err := m.References[i].Validate(); err != nil {
			return orig, wire.ConsumeError(handType, ".References["+strconv.Itoa(i)+"]", len(orig)-len(b)-wire.BytesSize(len(s)), err)
		}
	}
	if m.RegistrationTime, b, err = wire.ConsumeUint64(b); err != nil {
		return orig, wire.ConsumeError(handType, ".RegistrationTime", len(orig)-len(b), err)
	}
	if m.NarSize, b, err = wire.ConsumeUint64(b); err != nil {
		return orig, wire.ConsumeError(handType, ".NarSize", len(orig)-len(b), err)
	}
	if m.Ultimate, b, err = wire.ConsumeBool(b); err != nil {
		return orig, wire.ConsumeError(handType, ".Ultimate", len(orig)-len(b), err)
	}
	if n, b, err = wire.ConsumeCount(b, 0, 4096, 8); err != nil {
		return orig, wire.ConsumeError(handType, ".Sigs", len(orig)-len(b), err)
	}
	if cap(m.Sigs) >= n {
		m.Sigs = m.Sigs[:n]
	} else {
		m.Sigs = make([]string, n)
	}
	for i := range m.Sigs {
		if m.Sigs[i], b, err = wire.ConsumeString(b, 0, 1024); err != nil {
			return orig, wire.ConsumeError(handType, ".Sigs["+strconv.Itoa(i)+"]", len(orig)-len(b), err)
		}
	}
	if m.CA, b, err = wire.ConsumeString(b, 0, 1024); err != nil {
		return orig, wire.ConsumeError(handType, ".CA", len(orig)-len(b), err)
	}
	return b, nil
}

func (m *handPathInfo) DecodeWire(r *wire.Reader, p wire.Proto) error {
	start := r.Offset()
	s, err := r.String(1, 4096)
	if err != nil {
		return wire.ReadError(handType, ".Path", r.ValueOffset(), start, err)
	}
	m.Path = everything.StorePath(s)
	if err := m.Path.Validate(); err != nil {
		return wire.ReadError(handType, ".Path", r.ValueOffset(), start, err)
	}
	if s, err = r.String(0, 4096); err != nil {
		return wire.ReadError(handType, ".Deriver", r.ValueOffset(), start, err)
	}
	m.Deriver = everything.StorePath(s)
	if s != "" {
		if err := m.Deriver.Validate(); err != nil {
			return wire.ReadError(handType, ".Deriver", r.ValueOffset(), start, err)
		}
	}
	if m.NarHash, err = r.String(0, 256); err != nil {
		return wire.ReadError(handType, ".NarHash", r.ValueOffset(), start, err)
	}
	n, err := r.Count(0, 4096)
	if err != nil {
		return wire.ReadError(handType, ".References", r.ValueOffset(), start, err)
	}
	if cap(m.References) >= n {
		m.References = m.References[:n]
	} else {
		m.References = make([]everything.StorePath, 0, min(n, 1024))
	}
	for i := range n {
		if s, err = r.String(1, 4096); err != nil {
			return wire.ReadError(handType, ".References["+strconv.Itoa(i)+"]", r.ValueOffset(), start, err)
		}
		if i == len(m.References) {
			m.References = append(m.References, "")
		}
		m.References[i] = everything.StorePath(s)
		if err := m.References[i].Validate(); err != nil {
			return wire.ReadError(handType, ".References["+strconv.Itoa(i)+"]", r.ValueOffset(), start, err)
		}
	}
	if m.RegistrationTime, err = r.Uint64(); err != nil {
		return wire.ReadError(handType, ".RegistrationTime", r.ValueOffset(), start, err)
	}
	if m.NarSize, err = r.Uint64(); err != nil {
		return wire.ReadError(handType, ".NarSize", r.ValueOffset(), start, err)
	}
	if m.Ultimate, err = r.Bool(); err != nil {
		return wire.ReadError(handType, ".Ultimate", r.ValueOffset(), start, err)
	}
	if n, err = r.Count(0, 4096); err != nil {
		return wire.ReadError(handType, ".Sigs", r.ValueOffset(), start, err)
	}
	if cap(m.Sigs) >= n {
		m.Sigs = m.Sigs[:n]
	} else {
		m.Sigs = make([]string, 0, min(n, 1024))
	}
	for i := range n {
		if i == len(m.Sigs) {
			m.Sigs = append(m.Sigs, "")
		}
		if m.Sigs[i], err = r.String(0, 1024); err != nil {
			return wire.ReadError(handType, ".Sigs["+strconv.Itoa(i)+"]", r.ValueOffset(), start, err)
		}
	}
	if m.CA, err = r.String(0, 1024); err != nil {
		return wire.ReadError(handType, ".CA", r.ValueOffset(), start, err)
	}
	return nil
}
