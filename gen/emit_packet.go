package gen

import (
	"math"

	"github.com/dave/jennifer/jen"
)

// Emitters of bytes packets: string, bytes (and named types over them) and
// optional<T, empty>.

// what names a length in a wire.LimitError.
func lengthWhat(t *typ) string {
	if t.kind == kBytes {
		return "bytes length"
	}
	return "string length"
}

// limitError is the error of a length or count n outside [min, max]:
//
//	&wire.LimitError{What: "string length", N: uint64(len(v)), Min: 0, Max: 4096}
func limitError(what string, n jen.Code, min, max uint64) jen.Code {
	fields := []jen.Code{jen.Id("What").Op(":").Lit(what), jen.Id("N").Op(":").Add(n)}
	if min > 0 {
		fields = append(fields, jen.Id("Min").Op(":").Add(num(min)))
	}
	fields = append(fields, jen.Id("Max").Op(":").Add(num(max)))
	return jen.Op("&").Add(wireID("LimitError")).Values(fields...)
}

// lenCheck refuses, on encode, a length or count that a decoder would
// refuse:
//
//	if uint64(len(v)) > 4096 {
//		return ..., wire.EncodeError("T", ".F", &wire.LimitError{...})
//	}
//
// lo and hi select the bounds to check (optional<T, empty> checks the
// minimum only for a value that is not empty).
func (c *fn) lenCheck(what string, v val, min, max uint64, lo, hi bool, p fieldPath) []jen.Code {
	n := func() *jen.Statement { return jen.Uint64().Call(jen.Len(v.expr())) }
	var cond *jen.Statement
	if hi && max < math.MaxUint64 {
		cond = n().Op(">").Add(num(max))
	}
	if lo && min > 0 {
		below := n().Op("<").Add(num(min))
		if cond == nil {
			cond = below
		} else {
			cond = cond.Op("||").Add(below)
		}
	}
	if cond == nil {
		return nil
	}
	return []jen.Code{c.failIf(cond, p, nil, limitError(what, n(), min, max))}
}

// minCheck refuses, on decode, a non-empty optional<T, empty> value shorter
// than the minimum (the read itself allowed the empty "none").
func (c *fn) minCheck(t *typ, v val, p fieldPath) []jen.Code {
	if t.min == 0 {
		return nil
	}
	n := func() *jen.Statement { return jen.Uint64().Call(jen.Len(v.expr())) }
	return []jen.Code{c.failIf(n().Op("<").Add(num(t.min)), p, c.valueStart(t, v), limitError(lengthWhat(t), n(), t.min, t.max))}
}

// packetSize is `n += wire.BytesSize(len(v))`.
func packetSize(v val) []jen.Code {
	return []jen.Code{jen.Id("n").Op("+=").Add(wireID("BytesSize")).Call(jen.Len(v.expr()))}
}

// appendPacket is `b = wire.AppendString(b, string(v))` or
// `b = wire.AppendBytes(b, v)`.
func appendPacket(t *typ, v val) jen.Code {
	f := "AppendString"
	if t.kind == kBytes {
		f = "AppendBytes"
	}
	return jen.Id("b").Op("=").Add(wireID(f)).Call(jen.Id("b"), toNative(t, v))
}

// writePacket is `w.String(string(v))` or `w.Bytes(v)`.
func writePacket(t *typ, v val) jen.Code {
	f := "String"
	if t.kind == kBytes {
		f = "Bytes"
	}
	return jen.Id("w").Dot(f).Call(toNative(t, v))
}

// readPacket reads a packet with length in [min, max] into v.
//
//	if v, b, err = wire.ConsumeString(b, 0, 4096); err != nil { ... }
//
//	var v0 []byte
//	if v0, b, err = wire.ConsumeBytes(b, 0, 4096); err != nil { ... }
//	v = append(v[:0], v0...)
//
//	if v, err = r.String(0, 4096); err != nil { ... }
//
//	if v, err = r.AppendBytes(v[:0], 0, 4096); err != nil { ... }
func (c *fn) readPacket(t *typ, v val, min, max uint64, p fieldPath) []jen.Code {
	switch {
	case t.kind == kString && c.mode == mConsume:
		return c.readInto(t, v, p, wireID("ConsumeString").Call(jen.Id("b"), num(min), num(max)))
	case t.kind == kString:
		return c.readInto(t, v, p, jen.Id("r").Dot("String").Call(num(min), num(max)))
	case c.mode == mConsume:
		tmp := c.temp("v")
		return []jen.Code{
			jen.Var().Id(tmp).Index().Byte(),
			c.read(jen.Id(tmp), wireID("ConsumeBytes").Call(jen.Id("b"), num(min), num(max)), p),
			v.expr().Op("=").Append(v.operand().Index(jen.Empty(), jen.Lit(0)), jen.Id(tmp).Op("...")),
		}
	default:
		return []jen.Code{c.read(v.expr(), jen.Id("r").Dot("AppendBytes").Call(v.operand().Index(jen.Empty(), jen.Lit(0)), num(min), num(max)), p)}
	}
}

// packetEmitter: string and bytes.
type packetEmitter struct{}

// size:
//
//	n += wire.BytesSize(len(v))
func (packetEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) { return 0, packetSize(v) }

// appendTo:
//
//	if uint64(len(v)) > 4096 { return b[:start], wire.EncodeError(...) }
//	b = wire.AppendString(b, string(v))
func (packetEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.lenCheck(lengthWhat(t), v, t.min, t.max, true, true, p), appendPacket(t, v))
}

// encode:
//
//	if uint64(len(v)) > 4096 { return wire.EncodeError(...) }
//	w.String(string(v))
func (packetEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.lenCheck(lengthWhat(t), v, t.min, t.max, true, true, p), writePacket(t, v))
}

// consume: see readPacket.
func (packetEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.readPacket(t, v, t.min, t.max, p)
}

// decode: see readPacket.
func (packetEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.readPacket(t, v, t.min, t.max, p)
}

// optEmptyEmitter: optional<T, empty>, a string-based T whose empty value
// means none; none is neither validated nor held to T's minimum length.
type optEmptyEmitter struct{}

// size:
//
//	n += wire.BytesSize(len(v))
func (optEmptyEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) { return 0, packetSize(v) }

// someChecks returns the encode checks of a value that is not none:
//
//	if len(v) != 0 {
//		if err = v.Validate(); err != nil { ... }
//		if uint64(len(v)) < 8 { ... }
//	}
func (c *fn) someChecks(t *typ, v val, p fieldPath, off offset) []jen.Code {
	var body []jen.Code
	if t.elem.validate {
		body = append(body, c.validate(v, p, off))
	}
	if c.mode == mAppend || c.mode == mEncode {
		if t.elem.min > 1 { // an empty value is none
			body = append(body, c.lenCheck(lengthWhat(t.elem), v, t.elem.min, t.elem.max, true, false, p)...)
		}
	} else if t.elem.min > 1 {
		body = append(body, c.minCheck(t.elem, v, p)...)
	}
	if len(body) == 0 {
		return nil
	}
	return []jen.Code{jen.If(jen.Len(v.expr()).Op("!=").Lit(0)).Block(body...)}
}

// appendTo:
//
//	if len(v) != 0 { ...validate, min length... }
//	if uint64(len(v)) > 4096 { ... }
//	b = wire.AppendString(b, string(v))
func (optEmptyEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	code := c.someChecks(t, v, p, nil)
	code = append(code, c.lenCheck(lengthWhat(t.elem), v, t.elem.min, t.elem.max, false, true, p)...)
	return append(code, appendPacket(t.elem, v))
}

// encode: as appendTo, with w.String(string(v)).
func (optEmptyEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	code := c.someChecks(t, v, p, nil)
	code = append(code, c.lenCheck(lengthWhat(t.elem), v, t.elem.min, t.elem.max, false, true, p)...)
	return append(code, writePacket(t.elem, v))
}

// consume:
//
//	if v, b, err = wire.ConsumeString(b, 0, 4096); err != nil { ... }
//	if len(v) != 0 { ...min length, validate... }
func (optEmptyEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.readPacket(t.elem, v, 0, t.elem.max, p), c.someChecks(t, v, p, c.valueStart(t, v))...)
}

// decode:
//
//	if v, err = r.String(0, 4096); err != nil { ... }
//	if len(v) != 0 { ...min length, validate... }
func (optEmptyEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.readPacket(t.elem, v, 0, t.elem.max, p), c.someChecks(t, v, p, c.valueStart(t, v))...)
}
