package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
)

// Unions: an interface implemented by the variants, and the functions
// SizeU, AppendU, ConsumeU, EncodeU and DecodeU. Each variant is a case of
// a type switch (encoding) or of a switch on the tag (decoding); its value
// is encoded by the struct emitter, at the path ".(*V)".

// variantPath is the path of a union's variant in errors.
func variantPath(v *variantIR) fieldPath {
	return fieldPath{}.add(".(*" + v.s.decl.Name + ")")
}

// unionDecl declares a union:
//
//	type GCAction interface {
//		wire.Message
//		isGCAction()
//	}
func (g *fileGen) unionDecl(u *unionIR) {
	name := u.decl.Name
	text := withLines(u.decl.Doc)
	if text == "" {
		text = name + " is a union: a u64 tag, then the variant's encoding."
	}
	vs := "Its variants are"
	for i, v := range u.variants {
		switch {
		case i == 0:
			vs += " "
		case i == len(u.variants)-1:
			vs += " and "
		default:
			vs += ", "
		}
		vs += "*" + v.s.decl.Name + " (tag " + strconv.FormatUint(v.v.Tag, 10)
		if gs := gateSpell(v.v.Gate); gs != "" {
			vs += ", " + gs
		}
		vs += ")"
	}
	if len(u.variants) == 0 {
		vs = "It has no variants."
	} else {
		vs += ". A nil " + name + " cannot be encoded."
	}
	g.comment(withLines(text, vs))
	g.f.Type().Id(name).Interface(wireID("Message"), jen.Id(unionMarker(u)).Params())
	g.unionSize(u)
	g.unionAppend(u)
	g.unionConsume(u)
	g.unionEncode(u)
	g.unionDecode(u)
	g.unionJSON(u)
}

// typeSwitch returns `switch x := v.(type) { cases }` for the variants, or
// nothing when there are none.
func typeSwitch(u *unionIR, body func(v *variantIR) []jen.Code) []jen.Code {
	if len(u.variants) == 0 {
		return nil
	}
	var cases []jen.Code
	for _, v := range u.variants {
		cases = append(cases, jen.Case(jen.Op("*").Id(v.s.decl.Name)).Block(body(v)...))
	}
	return []jen.Code{jen.Switch(jen.Id("x").Op(":=").Id("v").Assert(jen.Type())).Block(cases...)}
}

// unionSize:
//
//	func SizeU(v U, p wire.Proto) int {
//		switch x := v.(type) {
//		case *A:
//			if x != nil {
//				return 8 + x.WireSize(p)
//			}
//		}
//		return 8
//	}
func (g *fileGen) unionSize(u *unionIR) {
	name := u.decl.Name
	code := typeSwitch(u, func(v *variantIR) []jen.Code {
		return []jen.Code{jen.If(jen.Id("x").Op("!=").Nil()).Block(
			jen.Return(jen.Lit(8).Op("+").Id("x").Dot("WireSize").Call(jen.Id("p"))))}
	})
	code = append(code, jen.Return(jen.Lit(8)))
	g.comment("Size" + name + " returns the exact size of the encoding of v at p.")
	g.f.Func().Id("Size"+name).Params(jen.Id("v").Id(name), jen.Id("p").Add(wireID("Proto"))).Int().Block(code...)
}

// variantGate refuses a variant that does not exist at p:
//
//	if !(p.Version >= 0x119) {
//		return ..., wire.EncodeError("U", ".(*A)", wire.NotInVersion("union tag", 25))
//	}
func (c *fn) variantGate(v *variantIR, p fieldPath, off offset) []jen.Code {
	cond := c.g.gateCond(v.v.Gate)
	if cond == nil {
		return nil
	}
	why := wireID("NotInVersion").Call(jen.Lit("union tag"), num(v.v.Tag))
	return []jen.Code{c.failIf(jen.Op("!").Parens(cond), p, off, why)}
}

// unionAppend:
//
//	func AppendU(b []byte, v U, p wire.Proto) ([]byte, error) {
//		start := len(b)
//		var err error
//		switch x := v.(type) {
//		case *A:
//			if x == nil {
//				break
//			}
//			b = wire.AppendUint64(b, 0)
//			if b, err = x.AppendWire(b, p); err != nil {
//				return b[:start], wire.EncodeError("U", ".(*A)", err)
//			}
//			return b, nil
//		}
//		return b, wire.EncodeError("U", "", &wire.NilError{Type: "U"})
//	}
func (g *fileGen) unionAppend(u *unionIR) {
	name := u.decl.Name
	c := g.newFn(mAppend, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(jen.Id("b").Index(jen.Empty(), c.use("start")), err) }
	code := typeSwitch(u, func(v *variantIR) []jen.Code {
		p := variantPath(v)
		body := []jen.Code{jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Break())}
		body = append(body, c.variantGate(v, p, nil)...)
		body = append(body, appendU64(num(v.v.Tag)))
		body = append(body, c.value(v.s.t, local("x"), p)...)
		return append(body, jen.Return(jen.Id("b"), jen.Nil()))
	})
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(jen.Id("b"), c.wrap(fieldPath{}, nil, nilUnion(u))))
	g.comment("Append" + name + " appends the encoding of v at p to b. It fails, returning b\nunchanged in length, on a nil v and on a value that cannot be encoded at p.")
	g.f.Func().Id("Append"+name).Params(jen.Id("b").Index().Byte(), jen.Id("v").Id(name), jen.Id("p").Add(wireID("Proto"))).
		Params(jen.Index().Byte(), jen.Error()).Block(code...)
}

// nilUnion is the error of a nil u: &wire.NilError{Type: "U"}.
func nilUnion(u *unionIR) jen.Code {
	return jen.Op("&").Add(wireID("NilError")).Values(jen.Id("Type").Op(":").Lit(u.decl.Name))
}

// unionEncode:
//
//	func EncodeU(w *wire.Writer, v U, p wire.Proto) error {
//		var err error
//		switch x := v.(type) {
//		case *A:
//			if x == nil {
//				break
//			}
//			w.Uint64(0)
//			if err = x.EncodeWire(w, p); err != nil { ... }
//			return nil
//		}
//		return wire.EncodeError("U", "", &wire.NilError{Type: "U"})
//	}
func (g *fileGen) unionEncode(u *unionIR) {
	name := u.decl.Name
	c := g.newFn(mEncode, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(err) }
	code := typeSwitch(u, func(v *variantIR) []jen.Code {
		p := variantPath(v)
		body := []jen.Code{jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Break())}
		body = append(body, c.variantGate(v, p, nil)...)
		body = append(body, writeU64(num(v.v.Tag)))
		body = append(body, c.value(v.s.t, local("x"), p)...)
		return append(body, jen.Return(jen.Nil()))
	})
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(c.wrap(fieldPath{}, nil, nilUnion(u))))
	g.comment("Encode" + name + " writes the encoding of v at p to w, without flushing it. It\nfails on a nil v and on a value that cannot be encoded at p.")
	g.f.Func().Id("Encode"+name).Params(jen.Id("w").Op("*").Add(wireID("Writer")), jen.Id("v").Id(name), jen.Id("p").Add(wireID("Proto"))).
		Error().Block(code...)
}

// tagSwitch reads the tag and switches on it, for the decoding functions:
//
//	var t0 uint64
//	if t0, b, err = wire.ConsumeUint64(b); err != nil { ... }
//	switch t0 {
//	case 0:
//		if !(gate) { ...wire.ErrVersion at the tag... }
//		x := new(A)
//		if b, err = x.ConsumeWire(b, p); err != nil { ... }
//		return x, b, nil
//	}
//	...wire.Invalid("union tag", t0) at the tag...
func (c *fn) tagSwitch(u *unionIR, done func() jen.Code) []jen.Code {
	tag := c.temp("t")
	var call *jen.Statement
	if c.mode == mConsume {
		call = wireID("ConsumeUint64").Call(jen.Id("b"))
	} else {
		call = jen.Id("r").Dot("Uint64").Call()
	}
	if len(u.variants) == 0 { // every tag is unknown
		return []jen.Code{c.read(jen.Id("_"), call, fieldPath{}), c.fail(fieldPath{}, offStart, wireID("ErrInvalid"))}
	}
	code := []jen.Code{jen.Var().Id(tag).Uint64(), c.read(jen.Id(tag), call, fieldPath{})}
	var cases []jen.Code
	for _, v := range u.variants {
		p := variantPath(v)
		body := c.variantGate(v, fieldPath{}, offStart)
		body = append(body, jen.Id("x").Op(":=").New(jen.Id(v.s.decl.Name)))
		body = append(body, c.value(v.s.t, local("x"), p)...)
		body = append(body, done())
		cases = append(cases, jen.Case(num(v.v.Tag)).Block(body...))
	}
	if len(cases) > 0 {
		code = append(code, jen.Switch(jen.Id(tag)).Block(cases...))
	}
	return append(code, c.fail(fieldPath{}, offStart, wireID("Invalid").Call(jen.Lit("union tag"), jen.Id(tag))))
}

// unionConsume:
//
//	func ConsumeU(b []byte, p wire.Proto) (U, []byte, error) { ...tagSwitch... }
func (g *fileGen) unionConsume(u *unionIR) {
	name := u.decl.Name
	c := g.newFn(mConsume, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(jen.Nil(), c.use("orig"), err) }
	code := c.tagSwitch(u, func() jen.Code { return jen.Return(jen.Id("x"), jen.Id("b"), jen.Nil()) })
	code = append(c.prologue(), code...)
	g.comment("Consume" + name + " decodes a " + name + " at p from the front of b and returns it\nwith the rest of b.")
	g.f.Func().Id("Consume"+name).Params(jen.Id("b").Index().Byte(), jen.Id("p").Add(wireID("Proto"))).
		Params(jen.Id(name), jen.Index().Byte(), jen.Error()).Block(code...)
}

// unionDecode:
//
//	func DecodeU(r *wire.Reader, p wire.Proto) (U, error) { ...tagSwitch... }
func (g *fileGen) unionDecode(u *unionIR) {
	name := u.decl.Name
	c := g.newFn(mDecode, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(jen.Nil(), err) }
	code := c.tagSwitch(u, func() jen.Code { return jen.Return(jen.Id("x"), jen.Nil()) })
	code = append(c.prologue(), code...)
	g.comment("Decode" + name + " reads a " + name + " at p from r.")
	g.f.Func().Id("Decode"+name).Params(jen.Id("r").Op("*").Add(wireID("Reader")), jen.Id("p").Add(wireID("Proto"))).
		Params(jen.Id(name), jen.Error()).Block(code...)
}
