package gen

import (
	"math"

	"github.com/dave/jennifer/jen"
)

// Emitters of the types that are one u64 on the wire: unsigned integers,
// i64, bool and enums.

// nativeType returns the Go type that wire reads return for t.
func nativeType(t *typ) *jen.Statement {
	switch t.native() {
	case "uint64":
		return jen.Uint64()
	case "bool":
		return jen.Bool()
	case "string":
		return jen.String()
	case "[]byte":
		return jen.Index().Byte()
	}
	panic("gen: no native type for " + t.kind.String())
}

// toNative converts v, of type t, to the type that wire writes take.
//
//	uint64(v)    string(v)    v
func toNative(t *typ, v val) *jen.Statement {
	if t.isNative() {
		return v.expr()
	}
	return nativeType(t).Call(v.expr())
}

// readInto reads a native value into v with call, converting it when v's
// type is not the native one:
//
//	if v, b, err = wire.ConsumeUint64(b); err != nil { ... }
//
// or
//
//	var v0 uint64
//	if v0, b, err = wire.ConsumeUint(b, 255); err != nil { ... }
//	v = uint8(v0)
func (c *fn) readInto(t *typ, v val, p fieldPath, call jen.Code) []jen.Code {
	if t.isNative() {
		return []jen.Code{c.read(v.expr(), call, p)}
	}
	tmp := c.temp("v")
	return []jen.Code{
		jen.Var().Id(tmp).Add(nativeType(t)),
		c.read(jen.Id(tmp), call, p),
		v.expr().Op("=").Add(c.g.goType(t)).Call(jen.Id(tmp)),
	}
}

// readUint reads a u64 at most max into v:
//
//	wire.ConsumeUint64(b)    wire.ConsumeUint(b, 255)
//	r.Uint64()               r.Uint(255)
func (c *fn) readUint(t *typ, v val, p fieldPath) []jen.Code {
	var call *jen.Statement
	switch {
	case c.mode == mConsume && t.max == math.MaxUint64:
		call = wireID("ConsumeUint64").Call(jen.Id("b"))
	case c.mode == mConsume:
		call = wireID("ConsumeUint").Call(jen.Id("b"), maxConst(t.max))
	case t.max == math.MaxUint64:
		call = jen.Id("r").Dot("Uint64").Call()
	default:
		call = jen.Id("r").Dot("Uint").Call(maxConst(t.max))
	}
	return c.readInto(t, v, p, call)
}

// maxConst spells the largest value of a narrow integer type.
func maxConst(max uint64) *jen.Statement {
	switch max {
	case math.MaxUint8:
		return jen.Qual(mathPkg, "MaxUint8")
	case math.MaxUint16:
		return jen.Qual(mathPkg, "MaxUint16")
	case math.MaxUint32:
		return jen.Qual(mathPkg, "MaxUint32")
	case math.MaxInt64:
		return jen.Qual(mathPkg, "MaxInt64")
	}
	return num(max)
}

// appendU64 is `b = wire.AppendUint64(b, x)`.
func appendU64(x jen.Code) jen.Code {
	return jen.Id("b").Op("=").Add(wireID("AppendUint64")).Call(jen.Id("b"), x)
}

// writeU64 is `w.Uint64(x)`; the Writer's error is sticky and checked at
// the end.
func writeU64(x jen.Code) jen.Code {
	return jen.Id("w").Dot("Uint64").Call(x)
}

// uintEmitter: u8, u16, u32, u64 and named types over them.
type uintEmitter struct{}

// size: 8
func (uintEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) { return 8, nil }

// appendTo:
//
//	b = wire.AppendUint64(b, uint64(v))
func (uintEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{appendU64(toNative(t, v))}
}

// encode:
//
//	w.Uint64(uint64(v))
func (uintEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{writeU64(toNative(t, v))}
}

// consume:
//
//	var v0 uint64
//	if v0, b, err = wire.ConsumeUint(b, math.MaxUint16); err != nil {
//		return orig, wire.ConsumeError("T", ".F", len(orig)-len(b), err)
//	}
//	v = uint16(v0)
func (uintEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code { return c.readUint(t, v, p) }

// decode:
//
//	var v0 uint64
//	if v0, err = r.Uint(math.MaxUint16); err != nil {
//		return wire.ReadError("T", ".F", r.ValueOffset(), start, err)
//	}
//	v = uint16(v0)
func (uintEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code { return c.readUint(t, v, p) }

// intEmitter: i64, a u64 on the wire that must not exceed 2^63-1.
type intEmitter struct{}

// size: 8
func (intEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) { return 8, nil }

// notNegative refuses a negative value on encode:
//
//	if v < 0 { return ..., wire.EncodeError("T", ".F", wire.ErrRange) }
func (c *fn) notNegative(v val, p fieldPath) jen.Code {
	return c.failIf(v.expr().Op("<").Lit(0), p, nil, wireID("ErrRange"))
}

// appendTo:
//
//	if v < 0 { return b[:start], wire.EncodeError("T", ".F", wire.ErrRange) }
//	b = wire.AppendUint64(b, uint64(v))
func (intEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.notNegative(v, p), appendU64(toNative(t, v))}
}

// encode:
//
//	if v < 0 { return wire.EncodeError("T", ".F", wire.ErrRange) }
//	w.Uint64(uint64(v))
func (intEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.notNegative(v, p), writeU64(toNative(t, v))}
}

// consume:
//
//	var v0 uint64
//	if v0, b, err = wire.ConsumeUint(b, math.MaxInt64); err != nil { ... }
//	v = int64(v0)
func (intEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code { return c.readUint(t, v, p) }

// decode:
//
//	var v0 uint64
//	if v0, err = r.Uint(math.MaxInt64); err != nil { ... }
//	v = int64(v0)
func (intEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code { return c.readUint(t, v, p) }

// boolEmitter: bool, the u64 0 or 1.
type boolEmitter struct{}

// size: 8
func (boolEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) { return 8, nil }

// appendTo:
//
//	b = wire.AppendBool(b, v)
func (boolEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{jen.Id("b").Op("=").Add(wireID("AppendBool")).Call(jen.Id("b"), toNative(t, v))}
}

// encode:
//
//	w.Bool(v)
func (boolEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{jen.Id("w").Dot("Bool").Call(toNative(t, v))}
}

// consume:
//
//	if v, b, err = wire.ConsumeBool(b); err != nil { ... }
func (boolEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.readInto(t, v, p, wireID("ConsumeBool").Call(jen.Id("b")))
}

// decode:
//
//	if v, err = r.Bool(); err != nil { ... }
func (boolEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.readInto(t, v, p, jen.Id("r").Dot("Bool").Call())
}

// enumEmitter: an enum, a u64 that must be one of its values (unless the
// enum is open) and whose value must exist at the protocol.
type enumEmitter struct{}

// size: 8
func (enumEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) { return 8, nil }

// enumCheck refuses a value that is not valid at p:
//
//	if !v.Valid(p) {
//		switch v {
//		case ModeCheck: // the values with gates
//			return ..., wire.EncodeError("T", ".Mode", wire.NotInVersion("Mode value", uint64(v)))
//		}
//		return ..., wire.EncodeError("T", ".Mode", wire.Invalid("Mode value", uint64(v))) // unless open
//	}
//
// An open enum is checked on encode only, and only for values with gates.
func (c *fn) enumCheck(t *typ, v val, p fieldPath, off offset) []jen.Code {
	e := t.enum
	decoding := c.mode == mConsume || c.mode == mDecode
	if e.decl.Open && (decoding || len(e.gated) == 0) {
		return nil
	}
	var body []jen.Code
	what, number := jen.Lit(e.decl.Name+" value"), jen.Uint64().Call(v.expr())
	if len(e.gated) > 0 {
		var cases []jen.Code
		for _, ev := range e.gated {
			cases = append(cases, c.g.enumConst(e, ev))
		}
		body = append(body, jen.Switch(v.expr()).Block(jen.Case(cases...).Block(c.fail(p, off, wireID("NotInVersion").Call(what, number)))))
	}
	if !e.decl.Open {
		body = append(body, c.fail(p, off, wireID("Invalid").Call(what, number)))
	}
	return []jen.Code{jen.If(jen.Op("!").Add(v.recv()).Dot("Valid").Call(c.proto())).Block(body...)}
}

// appendTo:
//
//	if !v.Valid(p) { ... }
//	b = wire.AppendUint64(b, uint64(v))
func (enumEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.enumCheck(t, v, p, nil), appendU64(toNative(t, v)))
}

// encode:
//
//	if !v.Valid(p) { ... }
//	w.Uint64(uint64(v))
func (enumEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.enumCheck(t, v, p, nil), writeU64(toNative(t, v)))
}

// consume:
//
//	var v0 uint64
//	if v0, b, err = wire.ConsumeUint64(b); err != nil { ... }
//	v = Mode(v0)
//	if !v.Valid(p) { ... len(orig)-len(b)-8 ... }
func (enumEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.readUint(t, v, p), c.enumCheck(t, v, p, offBack(func() jen.Code { return jen.Lit(8) }))...)
}

// decode:
//
//	var v0 uint64
//	if v0, err = r.Uint64(); err != nil { ... }
//	v = Mode(v0)
//	if !v.Valid(p) { ... r.ValueOffset() ... }
func (enumEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return append(c.readUint(t, v, p), c.enumCheck(t, v, p, offBack(func() jen.Code { return jen.Lit(8) }))...)
}
