package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/schema"
)

// The bodies of a struct's methods: its elements in wire order, each under
// its gates, constants, and the choice among layouts.

// gateCond returns the condition under which g holds, or nil if it always
// does:
//
//	p.Version >= 0x110 && p.Version < 0x119 && p.Has(FeatureX) && !p.Has(FeatureY)
func (g *fileGen) gateCond(gt schema.Gate) *jen.Statement {
	var conds []*jen.Statement
	if gt.Since != 0 {
		conds = append(conds, jen.Id("p").Dot("Version").Op(">=").Id("0x"+strconv.FormatUint(uint64(gt.Since), 16)))
	}
	if gt.Until != 0 {
		conds = append(conds, jen.Id("p").Dot("Version").Op("<").Id("0x"+strconv.FormatUint(uint64(gt.Until), 16)))
	}
	for _, f := range gt.If {
		conds = append(conds, jen.Id("p").Dot("Has").Call(g.featureConst(f)))
	}
	for _, f := range gt.Unless {
		conds = append(conds, jen.Op("!").Id("p").Dot("Has").Call(g.featureConst(f)))
	}
	if len(conds) == 0 {
		return nil
	}
	e := conds[0]
	for _, x := range conds[1:] {
		e = e.Op("&&").Add(x)
	}
	return e
}

// structSize returns the size of the struct recv: a constant and
// statements adding to n.
//
//	n := 16                          // the elements always there
//	if p.Version >= 0x110 { n += 8 } // gated elements
//	n += wire.BytesSize(len(m.Path))
func (c *fn) structSize(s *structIR, recv val) (int, []jen.Code) {
	if s.layouts == nil {
		return c.elemsSize(s.elems, recv)
	}
	var cases []jen.Code
	for _, l := range s.layouts {
		fixed, code := c.elemsSize(l.elems, recv)
		if fixed > 0 {
			code = append([]jen.Code{jen.Id("n").Op("+=").Lit(fixed)}, code...)
		}
		if cond := c.g.gateCond(l.gate); cond != nil {
			cases = append(cases, jen.Case(cond).Block(code...))
		} else {
			cases = append(cases, jen.Default().Block(code...))
			break // later layouts are unreachable
		}
	}
	return 0, []jen.Code{jen.Switch().Block(cases...)}
}

func (c *fn) elemsSize(elems []*elemIR, recv val) (int, []jen.Code) {
	total := 0
	var out []jen.Code
	for _, e := range elems {
		var fixed int
		var code []jen.Code
		if e.field == nil {
			fixed = constSize(e)
		} else {
			fixed, code = c.size(e.t, field(recv, e.name))
		}
		cond := c.g.gateCond(e.gate)
		if cond == nil {
			total += fixed
			out = append(out, code...)
			continue
		}
		if fixed > 0 {
			code = append([]jen.Code{jen.Id("n").Op("+=").Lit(fixed)}, code...)
		}
		out = append(out, jen.If(cond).Block(code...))
	}
	return total, out
}

// structBody returns the code of the struct recv's elements in the
// function's mode. A struct of layouts chooses the first layout whose
// gates hold:
//
//	switch {
//	case p.Version < 0x119:
//		...elements of the first layout...
//		m.Other = 0 // decoding: the fields not in the layout get their defaults
//	case p.Version >= 0x119:
//		...
//	default:
//		...every field gets its default...
//	}
func (c *fn) structBody(s *structIR, recv val) []jen.Code {
	if s.layouts == nil {
		return c.elems(s.elems, recv)
	}
	var cases []jen.Code
	hasDefault := false
	for _, l := range s.layouts {
		code := c.elems(l.elems, recv)
		for _, f := range l.absent {
			code = append(code, c.absent(f, recv)...)
		}
		if cond := c.g.gateCond(l.gate); cond != nil {
			cases = append(cases, jen.Case(cond).Block(code...))
		} else {
			cases = append(cases, jen.Default().Block(code...))
			hasDefault = true
			break
		}
	}
	if !hasDefault {
		var code []jen.Code
		for _, f := range s.fields {
			code = append(code, c.absent(f, recv)...)
		}
		if len(code) > 0 {
			cases = append(cases, jen.Default().Block(code...))
		}
	}
	return []jen.Code{jen.Switch().Block(cases...)}
}

// elems returns the code of elements in order, each preceded by a comment
// naming it:
//
//	// Ultimate bool since 1.16
//	if p.Version >= 0x110 {
//		...the element...
//	} else {
//		m.Ultimate = false // decoding; encoding: the required check
//	}
func (c *fn) elems(elems []*elemIR, recv val) []jen.Code {
	var out []jen.Code
	for _, e := range elems {
		var code []jen.Code
		if e.field == nil {
			code = c.constElem(e)
		} else {
			code = c.value(e.t, field(recv, e.name), fieldPath{}.add("."+e.name))
		}
		out = append(out, jen.Comment(e.doc))
		cond := c.g.gateCond(e.gate)
		if cond == nil {
			out = append(out, code...)
			continue
		}
		var alt []jen.Code
		if e.field != nil {
			alt = c.absent(e.field, recv)
		}
		if len(alt) == 0 {
			out = append(out, jen.If(cond).Block(code...))
		} else {
			out = append(out, jen.If(cond).Block(code...).Else().Block(alt...))
		}
	}
	return out
}

// absent returns what happens to a field that is not on the wire: decoding
// sets it to its default; encoding a required field fails when it holds
// anything else.
//
//	m.F = 7
//	if m.F != 7 { return ..., wire.EncodeError("T", ".F", wire.ErrVersion) }
func (c *fn) absent(f *fieldIR, recv val) []jen.Code {
	v := field(recv, f.f.Name)
	switch c.mode {
	case mConsume, mDecode:
		return []jen.Code{c.g.reset(f.t, v, f.f.Default)}
	case mAppend, mEncode:
		if !f.f.Required {
			return nil
		}
		cond := c.g.nonDefault(f.t, v, f.f.Default)
		if cond == nil {
			return nil
		}
		return []jen.Code{c.failIf(cond, fieldPath{}.add("."+f.f.Name), nil, wireID("ErrVersion"))}
	}
	return nil
}

// literal renders a default or const literal for a value of t.
func (g *fileGen) literal(t *typ, l *schema.Literal) *jen.Statement {
	switch l.Kind {
	case schema.StringLit:
		return jen.Lit(l.Str)
	case schema.BoolLit:
		return jen.Lit(l.Bool)
	case schema.IdentLit:
		if t.kind == kEnum && l.Value != nil {
			return g.enumConst(t.enum, l.Value)
		}
		if l.Value != nil {
			return num(l.Value.Value)
		}
	}
	return num(l.Int)
}

// zero returns the zero value of t.
func (g *fileGen) zero(t *typ) *jen.Statement {
	switch t.kind {
	case kUint, kInt, kEnum:
		return jen.Lit(0)
	case kBool:
		return jen.False()
	case kString:
		return jen.Lit("")
	case kOptEmpty:
		return g.zero(t.elem)
	case kStruct:
		return g.goType(t).Values()
	}
	return jen.Nil()
}

// reset sets v, of type t, to its default for decoding (keeping the
// capacity of slices and maps):
//
//	v = 0    v = def    v = v[:0]    clear(v)    v = nil    v = T{}
func (g *fileGen) reset(t *typ, v val, def *schema.Literal) jen.Code {
	if def != nil {
		return v.expr().Op("=").Add(g.literal(t, def))
	}
	switch t.kind {
	case kBytes, kList:
		return v.expr().Op("=").Add(v.operand()).Index(jen.Empty(), jen.Lit(0))
	case kOptEmpty:
		return g.reset(t.elem, v, nil)
	case kMap:
		return jen.Clear(v.expr())
	}
	return v.expr().Op("=").Add(g.zero(t))
}

// nonDefault returns the condition under which v, of type t, differs from
// its default, or nil if it never can:
//
//	v != 7    len(v) != 0    v != nil    v.A != 0 || len(v.B) != 0
func (g *fileGen) nonDefault(t *typ, v val, def *schema.Literal) *jen.Statement {
	if def != nil {
		return v.expr().Op("!=").Add(g.literal(t, def))
	}
	switch t.kind {
	case kUint, kInt, kEnum, kBool, kString:
		return v.expr().Op("!=").Add(g.zero(t))
	case kOptEmpty:
		return g.nonDefault(t.elem, v, nil)
	case kBytes, kList, kMap:
		return jen.Len(v.expr()).Op("!=").Lit(0)
	case kOptional, kUnion:
		return v.expr().Op("!=").Nil()
	case kStruct:
		var cond *jen.Statement
		for _, f := range t.strct.fields {
			x := g.nonDefault(f.t, field(v, f.f.Name), nil)
			if x == nil {
				continue
			}
			if cond == nil {
				cond = x
			} else {
				cond = cond.Op("||").Add(x)
			}
		}
		return cond
	}
	return nil
}

// constU64 is the number a u64 const literal stands for.
func constU64(l *schema.Literal) uint64 {
	switch l.Kind {
	case schema.BoolLit:
		if l.Bool {
			return 1
		}
		return 0
	case schema.IdentLit:
		if l.Value != nil {
			return l.Value.Value
		}
	}
	return l.Int
}

func isPacket(t *typ) bool { return t.kind == kString || t.kind == kBytes }

// constSize is the size of a const element.
func constSize(e *elemIR) int {
	if isPacket(e.t) {
		n := len(e.konst.Str)
		return 8 + n + (-n & 7)
	}
	return 8
}

// constElem returns the code of a const element:
//
//	b = wire.AppendUint64(b, 0x6e697863)
//	w.String("magic")
//
//	var v0 uint64
//	if v0, b, err = wire.ConsumeUint64(b); err != nil { ... }
//	if v0 != 0x6e697863 { return orig, wire.ConsumeError("T", ".Magic", len(orig)-len(b)-8, wire.ErrInvalid) }
//
//	var v1 []byte
//	if v1, b, err = wire.ConsumeBytes(b, 0, 1048576); err != nil { ... }
//	if string(v1) != "magic" { ... wire.ErrInvalid ... }
//
// Decoding a string on the stream path reads it into a small array:
//
//	var ca0 [5]byte
//	if v1, err = r.AppendBytes(ca0[:0], 0, 1048576); err != nil { ... }
func (c *fn) constElem(e *elemIR) []jen.Code {
	p := fieldPath{}.add("." + e.name)
	packet := isPacket(e.t)
	var lit *jen.Statement
	if packet {
		lit = jen.Lit(e.konst.Str)
	} else {
		lit = num(constU64(e.konst))
	}
	switch c.mode {
	case mAppend:
		if packet {
			return []jen.Code{jen.Id("b").Op("=").Add(wireID("AppendString")).Call(jen.Id("b"), lit)}
		}
		return []jen.Code{appendU64(lit)}
	case mEncode:
		if packet {
			return []jen.Code{jen.Id("w").Dot("String").Call(lit)}
		}
		return []jen.Code{writeU64(lit)}
	}
	v := c.temp("v")
	if !packet {
		var call *jen.Statement
		if c.mode == mConsume {
			call = wireID("ConsumeUint64").Call(jen.Id("b"))
		} else {
			call = jen.Id("r").Dot("Uint64").Call()
		}
		return []jen.Code{
			jen.Var().Id(v).Uint64(),
			c.read(jen.Id(v), call, p),
			c.failIf(jen.Id(v).Op("!=").Add(lit), p, offBack(func() jen.Code { return jen.Lit(8) }), wireID("ErrInvalid")),
		}
	}
	code := []jen.Code{jen.Var().Id(v).Index().Byte()}
	if c.mode == mConsume {
		code = append(code, c.read(jen.Id(v), wireID("ConsumeBytes").Call(jen.Id("b"), num(e.t.min), num(e.t.max)), p))
	} else {
		ca := c.temp("ca")
		code = append(code,
			jen.Var().Id(ca).Index(jen.Lit(len(e.konst.Str))).Byte(),
			c.read(jen.Id(v), jen.Id("r").Dot("AppendBytes").Call(jen.Id(ca).Index(jen.Empty(), jen.Lit(0)), num(e.t.min), num(e.t.max)), p))
	}
	return append(code, c.failIf(jen.String().Call(jen.Id(v)).Op("!=").Add(lit), p,
		offBack(func() jen.Code { return wireID("BytesSize").Call(jen.Len(jen.Id(v))) }), wireID("ErrInvalid")))
}
