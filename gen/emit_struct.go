package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
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

// gateNot returns the condition under which gt does not hold, or nil if
// it always does:
//
//	p.Version < 0x110 || p.Version >= 0x119 || !p.Has(FeatureX) || p.Has(FeatureY)
func (g *fileGen) gateNot(gt schema.Gate) *jen.Statement {
	var conds []*jen.Statement
	if gt.Since != 0 {
		conds = append(conds, jen.Id("p").Dot("Version").Op("<").Id(hexVersion(gt.Since)))
	}
	if gt.Until != 0 {
		conds = append(conds, jen.Id("p").Dot("Version").Op(">=").Id(hexVersion(gt.Until)))
	}
	for _, f := range gt.If {
		conds = append(conds, jen.Op("!").Id("p").Dot("Has").Call(g.featureConst(f)))
	}
	for _, f := range gt.Unless {
		conds = append(conds, jen.Id("p").Dot("Has").Call(g.featureConst(f)))
	}
	if len(conds) == 0 {
		return nil
	}
	e := conds[0]
	for _, x := range conds[1:] {
		e = e.Op("||").Add(x)
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
		on := c.presence(e.gate, e.when, recv)
		if on.never {
			continue
		}
		var fixed int
		var code []jen.Code
		if e.field == nil {
			fixed = constSize(e)
		} else {
			c.pinned(e.at, func() { fixed, code = c.size(e.t, field(recv, e.name)) })
		}
		if on.x == nil {
			total += fixed
			out = append(out, code...)
			continue
		}
		if fixed > 0 {
			code = append([]jen.Code{jen.Id("n").Op("+=").Lit(fixed)}, code...)
		}
		out = append(out, jen.If(on.x).Block(code...))
	}
	return total, out
}

// structBody returns the code of the struct recv's elements in the
// function's mode (for EncodeWire, after encodeBuffered). A struct of
// layouts chooses the first layout whose gates hold:
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
	if c.mode == mEncode {
		return []jen.Code{c.encodeBuffered(recv), encodeSlowCall(recv)}
	}
	return c.structElems(s, recv)
}

// encodeSlowCall writes a struct too large for the buffered path value by
// value (encodeWireSlow); one that fails takes back what it wrote, so that
// the stream never carries half of it (see wire.Writer.Abort):
//
//	mark := w.Offset()
//	if err := m.encodeWireSlow(w, p); err != nil {
//		return w.Abort(mark, err)
//	}
//
// A function of its own, not a defer in EncodeWire: a defer in a function
// with many returns is not open-coded, and would cost the fast path.
func encodeSlowCall(recv val) jen.Code {
	return jen.Add(
		jen.Id("mark").Op(":=").Id("w").Dot("Offset").Call().Line(),
		jen.If(jen.Err().Op(":=").Add(recv.recv().Dot("encodeWireSlow").Call(jen.Id("w"), jen.Id("p"))), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Id("w").Dot("Abort").Call(jen.Id("mark"), jen.Err())),
		),
	)
}

// encodeWireSlow emits the method that writes a struct value by value:
//
//	func (m *T) encodeWireSlow(w *wire.Writer, p wire.Proto) error
func (g *fileGen) encodeWireSlow(name string, s *structIR, recv val) {
	c := g.newFn(mEncode, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(err) }
	code := c.structElems(s, recv)
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(jen.Id("w").Dot("Err").Call()))
	g.comment("encodeWireSlow is EncodeWire of a value larger than w's buffer:\nvalue by value.")
	g.f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("encodeWireSlow").Params(jen.Id("w").Op("*").Add(wireID("Writer")), jen.Id("p").Add(wireID("Proto"))).
		Error().Block(code...)
}

// encodeBuffered starts a struct's EncodeWire: a value that fits in the
// Writer's buffer is appended straight into it (one size pass, then
// AppendWire's straight-line appends, with no Writer call per value); only
// a larger one is written value by value.
//
//	if b, ok := w.Reserve(m.WireSize(p)); ok {
//		b, err := m.AppendWire(b, p)
//		w.Commit(b)
//		return err
//	}
func (c *fn) encodeBuffered(recv val) jen.Code {
	return jen.If(jen.List(jen.Id("b"), jen.Id("ok")).Op(":=").Id("w").Dot("Reserve").Call(recv.recv().Dot("WireSize").Call(c.proto())), jen.Id("ok")).Block(
		jen.List(jen.Id("b"), jen.Id("err")).Op(":=").Add(recv.recv().Dot("AppendWire").Call(jen.Id("b"), c.proto())),
		jen.Id("w").Dot("Commit").Call(jen.Id("b")),
		jen.Return(jen.Id("err")),
	)
}

// structElems is structBody without encodeBuffered.
func (c *fn) structElems(s *structIR, recv val) []jen.Code {
	if s.layouts == nil {
		return c.elems(s.elems, recv)
	}
	var cases []jen.Code
	hasDefault := false
	for _, l := range s.layouts {
		code := c.elems(l.elems, recv)
		for _, f := range l.absent {
			code = append(code, c.absent(f, recv, fieldPath{}, wireID("ErrVersion"))...)
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
			code = append(code, c.absent(f, recv, fieldPath{}, wireID("ErrVersion"))...)
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
//
// An element with both gates and a when clause tests them in turn, so
// that encoding a required field can tell why it is not on the wire:
//
//	// Message string since 1.2 when Status != 0
//	if p.Version >= 0x102 {
//		if m.Status != 0 {
//			...the element...
//		} else {
//			...absent: wire.ErrInvalid...
//		}
//	} else {
//		...absent: wire.ErrVersion...
//	}
func (c *fn) elems(elems []*elemIR, recv val) []jen.Code { return c.elemsAt(elems, recv, fieldPath{}) }

// elemsAt is elems for the struct recv at path base, below the type the
// function is for (the elements of a terminated list, emitted inline).
func (c *fn) elemsAt(elems []*elemIR, recv val, base fieldPath) []jen.Code {
	var out []jen.Code
	for _, e := range elems {
		out = append(out, jen.Comment(e.doc))
		gate := c.gate(e.gate)
		var when cond
		if e.when != nil && !gate.never {
			when = c.when(e.when, recv)
		}
		alt := func(why jen.Code) []jen.Code {
			if e.field == nil {
				return nil
			}
			return c.absent(e.field, recv, base, why)
		}
		if gate.never || when.never { // known at a fixed version
			why := wireID("ErrVersion")
			if !gate.never {
				why = wireID("ErrInvalid")
			}
			out = append(out, alt(why)...)
			continue
		}
		var code []jen.Code
		if e.field == nil {
			code = c.constElem(e, base)
		} else {
			c.pinned(e.at, func() { code = c.value(e.t, field(recv, e.name), base.add("."+e.name)) })
		}
		switch {
		case gate.x == nil && when.x == nil:
			out = append(out, code...)
		case gate.x == nil:
			out = append(out, ifElse(when.x, code, alt(wireID("ErrInvalid"))))
		case when.x == nil:
			out = append(out, ifElse(gate.x, code, alt(wireID("ErrVersion"))))
		default:
			out = append(out, ifElse(gate.x, []jen.Code{ifElse(when.x, code, alt(wireID("ErrInvalid")))}, alt(wireID("ErrVersion"))))
		}
	}
	return out
}

// ifElse is `if cond { then }`, with `else { alt }` when alt is not empty.
func ifElse(cond jen.Code, then, alt []jen.Code) jen.Code {
	if len(alt) == 0 {
		return jen.If(cond).Block(then...)
	}
	return jen.If(cond).Block(then...).Else().Block(alt...)
}

// cond is a condition of the generated code: one that never holds, one
// that always does (x == nil), or the expression x.
type cond struct {
	x     *jen.Statement
	never bool
}

// constCond is the condition that always or never holds.
func constCond(holds bool) cond { return cond{never: !holds} }

// and is the conjunction of a and b.
func and(a, b cond) cond {
	switch {
	case a.never || b.never:
		return cond{never: true}
	case a.x == nil:
		return b
	case b.x == nil:
		return a
	}
	return cond{x: a.x.Op("&&").Add(b.x)}
}

// gate returns the condition under which the gates gt hold. At a fixed
// version (an at clause) it is known here: always or never.
//
//	p.Version >= 0x110 && p.Has(FeatureX)
func (c *fn) gate(gt schema.Gate) cond {
	if c.at != nil {
		return constCond(gt.Holds(wire.Proto{Version: *c.at}))
	}
	return cond{x: c.g.gateCond(gt)}
}

// presence returns the condition under which an element with the gates gt
// and the when clause w (nil: none) is on the wire.
func (c *fn) presence(gt schema.Gate, w *schema.Condition, recv val) cond {
	on := c.gate(gt)
	if w == nil || on.never {
		return on
	}
	return and(on, c.when(w, recv))
}

// when returns the condition of a when clause: a comparison of the earlier
// field it names. Where that field is not on the wire itself it holds its
// default (decoding sets it; encoding must agree with the decoder), so the
// comparison is folded with the default's:
//
//	m.Status != 0
//	m.Flag                                   // when Flag == true
//	(p.Version >= 0x114 && m.Kind == KindB)  // Kind since 1.20, default not KindB
//	(p.Version < 0x114 || m.Old == 4)        // Old since 1.20, default 4, when Old == 4
func (c *fn) when(w *schema.Condition, recv val) cond {
	ref := w.Field
	t := c.g.ir.fieldTypes[ref]
	v := field(recv, ref.Name)
	var cmp *jen.Statement
	if t.kind == kBool {
		if w.Value.Bool == w.Equal {
			cmp = v.expr()
		} else {
			cmp = jen.Op("!").Add(v.operand())
		}
	} else {
		op := "!="
		if w.Equal {
			op = "=="
		}
		cmp = v.expr().Op(op).Add(c.g.literal(t, w.Value))
	}
	var def uint64
	if ref.Default != nil {
		def = constU64(ref.Default)
	}
	defHolds := (def == constU64(w.Value)) == w.Equal
	on := c.presence(ref.Gate, ref.When, recv)
	switch {
	case on.never:
		return constCond(defHolds)
	case on.x == nil:
		return cond{x: cmp}
	case defHolds && ref.When == nil:
		return cond{x: jen.Parens(c.g.gateNot(ref.Gate).Op("||").Add(cmp))}
	case defHolds:
		return cond{x: jen.Parens(jen.Op("!").Parens(on.x).Op("||").Add(cmp))}
	}
	return cond{x: jen.Parens(on.x.Op("&&").Add(cmp))}
}

// absent returns what happens to a field (of the struct recv at path
// base) that is not on the wire: decoding sets it to its default;
// encoding fails with the error why (wire.ErrVersion for gates,
// wire.ErrInvalid for a when clause) when it holds anything but its zero
// value or its default, which the peer would never see (a `required`
// field must hold its default):
//
//	if m.F != 0 && m.F != 7 { return ..., wire.EncodeError("T", ".F", wire.ErrVersion) }
//
//	m.F = 7    // decoding
func (c *fn) absent(f *fieldIR, recv val, base fieldPath, why jen.Code) []jen.Code {
	v := field(recv, f.f.Name)
	switch c.mode {
	case mConsume, mDecode:
		return []jen.Code{c.g.reset(f.t, v, f.f.Default)}
	case mAppend, mEncode:
		differs := c.g.nonDefault(f.t, v, f.f.Default)
		if differs == nil {
			return nil
		}
		if f.f.Default != nil && !f.f.Required {
			// The zero value is accepted too, so that a struct literal
			// that leaves the field out encodes.
			nonZero := c.g.nonDefault(f.t, v, nil)
			if nonZero == nil {
				return nil
			}
			differs = nonZero.Op("&&").Add(differs)
		}
		return []jen.Code{c.failIf(differs, base.add("."+f.f.Name), nil, why)}
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

// constLit renders the number of a const literal, in hexadecimal when the
// schema writes it so (a magic number stays recognisable):
//
//	0x6e697863    42
func constLit(l *schema.Literal) *jen.Statement {
	if l.Kind == schema.IntLit && l.Hex {
		return jen.Id("0x" + strconv.FormatUint(l.Int, 16))
	}
	return num(constU64(l))
}

// mismatchFunc is the wire function that reports a wrong constant:
// MismatchHex for one written in hexadecimal.
func mismatchFunc(l *schema.Literal) string {
	if l.Kind == schema.IntLit && l.Hex {
		return "MismatchHex"
	}
	return "Mismatch"
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
//	if v0 != 0x6e697863 { return orig, wire.ConsumeError("T", ".Magic", len(orig)-len(b)-8, wire.Mismatch(v0, 0x6e697863)) }
//
//	var v1 []byte
//	if v1, b, err = wire.ConsumeBytes(b, 0, 1048576); err != nil { ... }
//	if string(v1) != "magic" { ... wire.ErrInvalid ... }
//
// Decoding a string on the stream path reads it into a small array:
//
//	var ca0 [5]byte
//	if v1, err = r.AppendBytes(ca0[:0], 0, 1048576); err != nil { ... }
func (c *fn) constElem(e *elemIR, base fieldPath) []jen.Code {
	p := base.add("." + e.name)
	packet := isPacket(e.t)
	var lit *jen.Statement
	if packet {
		lit = jen.Lit(e.konst.Str)
	} else {
		lit = constLit(e.konst)
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
			c.failIf(jen.Id(v).Op("!=").Add(lit), p, offBack(func() jen.Code { return jen.Lit(8) }), wireID(mismatchFunc(e.konst)).Call(jen.Id(v), lit.Clone())),
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
