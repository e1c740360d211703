package gen

import (
	"github.com/dave/jennifer/jen"
)

// Emitters of values encoded by generated code of their own: structs
// (through their methods) and unions (through their functions). An error
// of the nested value is wrapped again, which re-roots its path under the
// outer type (see wire.ConsumeError).

// structEmitter: a struct value.
type structEmitter struct{}

// size:
//
//	n += v.WireSize(p)
func (structEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) {
	return 0, []jen.Code{jen.Id("n").Op("+=").Add(v.recv()).Dot("WireSize").Call(c.proto())}
}

// appendTo:
//
//	if b, err = v.AppendWire(b, p); err != nil {
//		return b[:start], wire.EncodeError("T", ".F", err)
//	}
func (structEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{jen.If(jen.List(jen.Id("b"), c.use("err")).Op("=").Add(v.recv()).Dot("AppendWire").Call(jen.Id("b"), c.proto()),
		c.use("err").Op("!=").Nil()).Block(c.fail(p, nil, c.use("err")))}
}

// encode:
//
//	if err = v.EncodeWire(w, p); err != nil {
//		return wire.EncodeError("T", ".F", err) // unless it is the Writer's own error
//	}
func (structEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.nestedEncode(v.recv().Dot("EncodeWire").Call(jen.Id("w"), c.proto()), p)}
}

// nestedEncode calls a nested encoder and returns its error: unchanged if
// it is the Writer's (sticky) error, else wrapped with the path.
//
//	if err = call; err != nil {
//		if err == w.Err() {
//			return err
//		}
//		return wire.EncodeError("T", ".F", err)
//	}
func (c *fn) nestedEncode(call jen.Code, p fieldPath) jen.Code {
	return jen.If(c.use("err").Op("=").Add(call), c.use("err").Op("!=").Nil()).Block(
		jen.If(c.use("err").Op("==").Id("w").Dot("Err").Call()).Block(c.ret(c.use("err"))),
		c.fail(p, nil, c.use("err")))
}

// consume:
//
//	if b, err = v.ConsumeWire(b, p); err != nil {
//		return orig, wire.ConsumeError("T", ".F", len(orig)-len(b), err)
//	}
func (structEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.read(nil, v.recv().Dot("ConsumeWire").Call(jen.Id("b"), c.proto()), p)}
}

// decode:
//
//	if err = v.DecodeWire(r, p); err != nil {
//		return wire.ReadError("T", ".F", r.ValueOffset(), start, err)
//	}
func (structEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.read(nil, v.recv().Dot("DecodeWire").Call(jen.Id("r"), c.proto()), p)}
}

// unionEmitter: a union value, through the union's functions.
type unionEmitter struct{}

func (c *fn) unionFunc(t *typ, verb string) *jen.Statement {
	return c.g.qual(t.ref, verb+t.ref.name)
}

// size:
//
//	n += SizeU(v, p)
func (unionEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) {
	return 0, []jen.Code{jen.Id("n").Op("+=").Add(c.unionFunc(t, "Size")).Call(v.expr(), c.proto())}
}

// appendTo:
//
//	if b, err = AppendU(b, v, p); err != nil {
//		return b[:start], wire.EncodeError("T", ".F", err)
//	}
func (unionEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{jen.If(jen.List(jen.Id("b"), c.use("err")).Op("=").Add(c.unionFunc(t, "Append")).Call(jen.Id("b"), v.expr(), c.proto()),
		c.use("err").Op("!=").Nil()).Block(c.fail(p, nil, c.use("err")))}
}

// encode:
//
//	if err = EncodeU(w, v, p); err != nil { ... }
func (unionEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.nestedEncode(c.unionFunc(t, "Encode").Call(jen.Id("w"), v.expr(), c.proto()), p)}
}

// consume:
//
//	if v, b, err = ConsumeU(b, p); err != nil { ... }
func (unionEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.read(v.expr(), c.unionFunc(t, "Consume").Call(jen.Id("b"), c.proto()), p)}
}

// decode:
//
//	if v, err = DecodeU(r, p); err != nil { ... }
func (unionEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{c.read(v.expr(), c.unionFunc(t, "Decode").Call(jen.Id("r"), c.proto()), p)}
}
